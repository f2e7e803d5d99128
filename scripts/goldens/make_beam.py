"""Greedy and beam search over the golden BART (make_goldens.py's 'bart' case: the same weights,
rebuilt from its seed) in float64 PyTorch: the reference for src/engine/generate/seq2seq-search.ts.
The search is Hugging Face's BeamSearchScorer with early_stopping=True, written out:
  each step every live beam's score + log p(v) is a candidate; the best 2*width candidates are taken
  in order; an EOS among the first `width` finishes a hypothesis scored sum_logprobs /
  generated_len ** length_penalty (EOS counted); the others become the next beams until there are
  `width`. Stop once `width` hypotheses are finished, or at max_length (live beams then finish).
  Ties: earlier beam, then lower token id.

  /usr/bin/python3 scripts/goldens/make_beam.py   # writes tests/goldens/bart_beam.json
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_goldens import Bart, DT, init_weights  # noqa: E402

START, MAX_LENGTH = 1, 8
EOS = 2  # set per case in main(): the random model rarely writes 2, often 0 and 18


def golden_bart():
    cfg = {'kind': 'encoder-decoder', 'vocabSize': 29, 'nLayer': 2, 'nHead': 2, 'nEmbd': 16, 'blockSize': 11,
           'ffWidth': 64, 'dropout': 0.0, 'bias': True, 'tiedEmbeddings': True, 'norm': 'post',
           'activation': 'gelu_tanh', 'layerNormEps': 1e-5, 'typeVocabSize': 0, 'pooler': False,
           'batchSize': 3, 'targetLen': 7, 'ignoreIndex': -100, 'padId': 0}
    gen = torch.Generator().manual_seed(1340)  # bart_case('bart', 1340)
    model = Bart(cfg)
    init_weights(model, gen)
    return model


def next_logprobs(model, src, prefixes):
    s = torch.tensor([src] * len(prefixes))
    mask = torch.ones_like(s)
    out = []
    with torch.no_grad():
        for p in prefixes:  # one row at a time: prefixes differ in length
            h = model.decode(s[:1], mask[:1], torch.tensor([p]))
            logits = h[0, -1] @ model.model.shared.weight.t()
            out.append(F.log_softmax(logits, dim=-1).tolist())
    return out


def greedy(model, src, alpha):
    tokens, score = [], 0.0
    while len(tokens) < MAX_LENGTH:
        lp = next_logprobs(model, src, [[START] + tokens])[0]
        best = max(range(len(lp)), key=lambda v: (lp[v], -v))
        tokens.append(best)
        score += lp[best]
        if best == EOS:
            break
    return {'tokens': tokens, 'score': score, 'normalized': score / len(tokens) ** alpha}


def beam(model, src, width, alpha):
    beams = [([], 0.0)]
    finished = []
    margin = float('inf')
    for step in range(1, MAX_LENGTH + 1):
        lps = next_logprobs(model, src, [[START] + b[0] for b in beams])
        cands = [(b[1] + lp, i, v) for i, b in enumerate(beams) for v, lp in enumerate(lps[i])]
        cands.sort(key=lambda c: (-c[0], c[1], c[2]))
        taken = 0
        live = []
        for rank in range(min(2 * width, len(cands))):
            if len(live) >= width:
                break
            score, i, v = cands[rank]
            taken = rank + 1
            tokens = beams[i][0] + [v]
            if v == EOS:
                if rank < width:
                    finished.append({'tokens': tokens, 'score': score, 'normalized': score / len(tokens) ** alpha})
            else:
                live.append((tokens, score))
        # How far the last candidate taken is from the next one: a float32 engine must not flip them.
        if taken < len(cands):
            margin = min(margin, cands[taken - 1][0] - cands[taken][0])
        if len(finished) >= width:
            break
        beams = live
        if step == MAX_LENGTH:
            for tokens, score in beams:
                finished.append({'tokens': tokens, 'score': score, 'normalized': score / len(tokens) ** alpha})
    order = sorted(range(len(finished)), key=lambda k: (-finished[k]['normalized'], k))
    return [finished[k] for k in order], margin


def main():
    global EOS
    model = golden_bart()
    gen = torch.Generator().manual_seed(7)
    cases = []
    for n in (3, 5, 9, 11):
        src = [START] + torch.randint(3, 29, (n - 2,), generator=gen).tolist() + [EOS]
        for eos, width, alpha in ((e, w, a) for e in (2, 0, 18) for w, a in ((1, 1.0), (2, 1.0), (3, 1.0), (4, 0.0), (4, 2.0))):
            EOS = eos
            if width == 1:
                hyps, margin = [greedy(model, src, alpha)], None
            else:
                hyps, margin = beam(model, src, width, alpha)
            cases.append({'source': src, 'eos': eos, 'beams': width, 'lengthPenalty': alpha, 'hypotheses': hyps, 'margin': margin})
            print(f'source {len(src)} eos {eos} beams {width} alpha {alpha}: {hyps[0]["tokens"]} {hyps[0]["normalized"]:.4f} margin {margin}')
    out = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'goldens', 'bart_beam.json')
    with open(out, 'w') as f:
        json.dump({'source': 'scripts/goldens/make_beam.py', 'golden': 'bart', 'start': START, 'maxLength': MAX_LENGTH, 'cases': cases}, f, indent=1)
    print('wrote', os.path.normpath(out))


if __name__ == '__main__':
    main()
