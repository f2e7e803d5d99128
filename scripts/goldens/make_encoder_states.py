"""The encoder's final hidden states of the tiny BART golden (tests/goldens/bart.safetensors, made by
make_goldens.py): its stored parameters loaded into make_goldens.py's float64 Bart, the encoder run
over two of its input rows (one full, one cut to its 6 real tokens), the output written as JSON. The
reference for the projector's contextual embeddings of encoder-decoder runs
(src/engine/inspect/hidden-states.ts).

  /usr/bin/python3 scripts/goldens/make_encoder_states.py   # writes tests/goldens/bart_encoder_states.json
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_goldens as g  # noqa: E402


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        a, b = info['data_offsets']
        dtype = {'F32': np.float32, 'I32': np.int32}[info['dtype']]
        out[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dtype).reshape(info['shape'])
    return out


def main():
    meta = json.load(open(os.path.join(g.OUT, 'bart.json')))
    tensors = read_safetensors(os.path.join(g.OUT, 'bart.safetensors'))
    cfg = meta['config']
    model = g.Bart(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(tensors['param.' + name].astype(np.float64)))
    m = model.model
    src = torch.from_numpy(tensors['input.input_ids'].astype(np.int64))
    rows = []
    for b, n in [(0, 11), (1, 6)]:
        ids = src[b:b + 1, :n]
        with torch.no_grad():
            x = m.encoder.layernorm_embedding(m.shared(ids) + m.encoder.embed_positions(torch.arange(n)))
            for layer in m.encoder.layers:
                x = layer(x, torch.ones(1, n, dtype=torch.long), causal=False)
        rows.append({'ids': ids[0].tolist(), 'hidden': x[0].flatten().tolist()})
    out = os.path.join(g.OUT, 'bart_encoder_states.json')
    with open(out, 'w') as f:
        json.dump({'source': 'scripts/goldens/make_encoder_states.py (torch %s, float64, bart golden parameters)' % torch.__version__, 'rows': rows}, f, separators=(',', ':'))
    print('wrote', os.path.normpath(out), [len(r['ids']) for r in rows], 'tokens')


if __name__ == '__main__':
    main()
