#!/usr/bin/python3
"""GPT-2 small (124M) on this machine: the PyTorch side of the engine's benchmark.

  /usr/bin/python3 scripts/bench/gpt2_small.py write <folder>   # a random GPT2LMHeadModel folder
  /usr/bin/python3 scripts/bench/gpt2_small.py bench <folder> [--threads 2] [--batch 4] [--seq 128]

`write` makes what a user's download looks like (config.json, model.safetensors, vocab.json,
merges.txt), with random weights (normal, std 0.02, seed 0) in GPT-2 small's shapes: 12 layers,
768 wide, 12 heads, 1024 positions, 50257 tokens. The tokenizer is byte-level BPE with the 256
byte symbols, 50,000 two-symbol merges and <|endoftext|>: the real vocabulary is not available
offline, and its size, not its content, is what the timings depend on.

`bench` times, in PyTorch on the CPU, what `npm run import`, `npm run generate` and
`npm run finetune` do with the same folder: reading the weights, greedy generation with a KV
cache (tokens/s), and one AdamW step of a last-token classifier on the whole model (ms/step).
Its GPT-2 is transformers' math written out (Conv1D weights [in, out], tanh GELU, tied head).
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'goldens'))
from make_hf_import import write_json, write_safetensors  # noqa: E402

L, C, H, T, V = 12, 768, 12, 1024, 50257


def bytes_to_unicode():
    """GPT-2's byte-to-symbol table: printable bytes map to themselves, the rest past 255."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def write(folder):
    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    w = lambda *shape: (torch.randn(*shape, generator=g) * 0.02).numpy().astype(np.float32)
    ones, zeros = (lambda n: np.ones(n, np.float32)), (lambda n: np.zeros(n, np.float32))
    t = {'wte.weight': w(V, C), 'wpe.weight': w(T, C), 'ln_f.weight': ones(C), 'ln_f.bias': zeros(C)}
    for l in range(L):
        p = f'h.{l}.'
        t.update({p + 'ln_1.weight': ones(C), p + 'ln_1.bias': zeros(C), p + 'ln_2.weight': ones(C), p + 'ln_2.bias': zeros(C),
                  p + 'attn.c_attn.weight': w(C, 3 * C), p + 'attn.c_attn.bias': zeros(3 * C),
                  p + 'attn.c_proj.weight': w(C, C), p + 'attn.c_proj.bias': zeros(C),
                  p + 'mlp.c_fc.weight': w(C, 4 * C), p + 'mlp.c_fc.bias': zeros(4 * C),
                  p + 'mlp.c_proj.weight': w(4 * C, C), p + 'mlp.c_proj.bias': zeros(C)})
    write_safetensors(os.path.join(folder, 'model.safetensors'), t, {'format': 'pt'})
    write_json(os.path.join(folder, 'config.json'), {
        'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'activation_function': 'gelu_new',
        'n_ctx': T, 'n_positions': T, 'n_embd': C, 'n_head': H, 'n_layer': L, 'vocab_size': V,
        'layer_norm_epsilon': 1e-5, 'tie_word_embeddings': True, 'bos_token_id': V - 1, 'eos_token_id': V - 1,
    })
    symbols = list(bytes_to_unicode().values())
    vocab = {s: i for i, s in enumerate(symbols)}
    merges = []
    for a in symbols:
        for b in symbols:
            if len(merges) == V - 1 - 256:
                break
            merges.append(f'{a} {b}')
            vocab[a + b] = len(vocab)
    vocab['<|endoftext|>'] = len(vocab)
    assert len(vocab) == V
    write_json(os.path.join(folder, 'vocab.json'), vocab)
    with open(os.path.join(folder, 'merges.txt'), 'w', encoding='utf-8') as f:
        f.write('#version: 0.2\n' + '\n'.join(merges) + '\n')
    print(f'wrote {folder}: GPT-2 small shapes, {sum(a.size for a in t.values()):,} parameters')


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == '__metadata__':
            continue
        a, b = h['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np.float32).reshape(h['shape']).copy())
    return out


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def block(p, l, x, cache=None):
    """One GPT-2 layer on x [B, t, C]; with `cache` (a dict per layer) it appends k, v and attends to all."""
    q_ = f'h.{l}.'
    B, t, _ = x.shape
    h = torch.nn.functional.layer_norm(x, (C,), p[q_ + 'ln_1.weight'], p[q_ + 'ln_1.bias'], 1e-5)
    qkv = h @ p[q_ + 'attn.c_attn.weight'] + p[q_ + 'attn.c_attn.bias']
    q, k, v = (z.view(B, t, H, C // H).transpose(1, 2) for z in qkv.split(C, dim=2))
    if cache is not None:
        if 'k' in cache:
            k, v = torch.cat([cache['k'], k], 2), torch.cat([cache['v'], v], 2)
        cache['k'], cache['v'] = k, v
    s = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
    n = k.shape[2]
    mask = torch.ones(t, n, dtype=torch.bool).tril(n - t)
    a = torch.softmax(s.masked_fill(~mask, float('-inf')), -1) @ v
    x = x + a.transpose(1, 2).reshape(B, t, C) @ p[q_ + 'attn.c_proj.weight'] + p[q_ + 'attn.c_proj.bias']
    h = torch.nn.functional.layer_norm(x, (C,), p[q_ + 'ln_2.weight'], p[q_ + 'ln_2.bias'], 1e-5)
    return x + gelu(h @ p[q_ + 'mlp.c_fc.weight'] + p[q_ + 'mlp.c_fc.bias']) @ p[q_ + 'mlp.c_proj.weight'] + p[q_ + 'mlp.c_proj.bias']


def hidden(p, ids, pos0=0, caches=None):
    x = p['wte.weight'][ids] + p['wpe.weight'][pos0:pos0 + ids.shape[1]]
    for l in range(L):
        x = block(p, l, x, caches[l] if caches is not None else None)
    return torch.nn.functional.layer_norm(x, (C,), p['ln_f.weight'], p['ln_f.bias'], 1e-5)


def bench(folder, threads, batch, seq, new_tokens, steps):
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    p = read_safetensors(os.path.join(folder, 'model.safetensors'))
    load_s = time.perf_counter() - t0

    with torch.no_grad():
        ids = torch.randint(0, V, (1, 16), generator=torch.Generator().manual_seed(1))
        caches = [{} for _ in range(L)]
        h = hidden(p, ids, 0, caches)
        t0 = time.perf_counter()
        for i in range(new_tokens):
            nxt = (h[:, -1] @ p['wte.weight'].T).argmax(-1, keepdim=True)
            h = hidden(p, nxt, 16 + i, caches)
        gen_tps = new_tokens / (time.perf_counter() - t0)

    params = {k: v.requires_grad_() for k, v in p.items()}
    score = (torch.randn(C, 2) * 0.02).requires_grad_()
    opt = torch.optim.AdamW(list(params.values()) + [score], lr=1e-5)
    g = torch.Generator().manual_seed(2)
    times = []
    for _ in range(steps):
        x = torch.randint(0, V, (batch, seq), generator=g)
        y = torch.randint(0, 2, (batch,), generator=g)
        t0 = time.perf_counter()
        logits = hidden(params, x)[:, -1] @ score
        loss = torch.nn.functional.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    step_ms = 1000 * float(np.median(times[1:] if len(times) > 1 else times))
    print(json.dumps({'torch': torch.__version__, 'threads': threads, 'load_s': round(load_s, 2), 'generate_tokens_per_s': round(gen_tps, 2),
                      'finetune_batch': [batch, seq], 'finetune_ms_per_step': round(step_ms, 1)}))


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['write', 'bench'])
    ap.add_argument('folder')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--seq', type=int, default=128)
    ap.add_argument('--new_tokens', type=int, default=32)
    ap.add_argument('--steps', type=int, default=3)
    a = ap.parse_args()
    write(a.folder) if a.mode == 'write' else bench(a.folder, a.threads, a.batch, a.seq, a.new_tokens, a.steps)
