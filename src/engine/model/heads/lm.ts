// Language-model head: logits [N, V] = h · Wᵀ, W the token embedding (tied, GPT-2 / BART) or its
// own lm_head.weight, then cross-entropy against `targets` (next tokens, or a seq2seq decoder's
// labels; ids >= V are ignored).
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { decoderVocabSize } from '../config';
import { crossEntropyForwardBackward } from '../../ops/crossentropy';
import { matmul } from '../../ops/matmul';
import { bind } from '../layers/plan';
import type { Head, HeadBuilder, HeadContext } from './head';

interface LmActs {
  targets: Tensor; // [N] u32
  logits: Tensor; // [N, V]
  losses: Tensor; // [N]
  correct: Tensor; // [N]
  stats: Tensor; // [4]
}

export function planLmHead(h: HeadContext, targetsName: string): HeadBuilder {
  const { a, d } = h.plans;
  const N = h.B * h.T;
  const V = decoderVocabSize(h.cfg); // an encoder-decoder's target vocabulary when it has its own
  const names = {
    targets: a.add(targetsName, [N], 'u32'),
    logits: a.add('lm.logits', [N, V]),
    losses: a.add('lm.losses', [N]),
    correct: a.add('lm.correct', [N]),
    stats: a.add('lm.stats', [4]),
  };
  const dlogitsName = d.add('lm.dlogits', [N, V]);
  return (acts, dacts, v): Head => {
    const x = bind<LmActs>(acts, names);
    const dlogits = dacts.get(dlogitsName);
    const key = h.cfg.tiedEmbeddings ? h.tokensKey : 'lm_head.weight';
    const W = v.param(key); // [V, C]
    const dW = v.grad(key);
    return {
      inputs: { [targetsName]: x.targets },
      lossTerms: [x.stats],
      logits: x.logits,
      forward(rec: Recorder, hidden: Tensor) {
        matmul(rec, { out: x.logits, a: hidden, b: W, transB: true, label: 'lm_head' }); // logits [N, V] = h · Wᵀ
        crossEntropyForwardBackward(rec, x.losses, dlogits, x.stats, x.logits, x.targets, { N, V, gradScale: h.gradScale }, x.correct);
      },
      backward(rec: Recorder, hidden: Tensor, dHidden: Tensor) {
        matmul(rec, { out: dHidden, a: dlogits, b: W, accumulate: true, label: 'lm_head.dx' }); // dh [N, C] += dlogits · W
        if (dW) matmul(rec, { out: dW, a: dlogits, b: hidden, transA: true, accumulate: true, label: 'lm_head.dw' }); // dW [V, C] += dlogitsᵀ · h
      },
    };
  };
}
