// BERT's masked-LM head (BertLMPredictionHead): t = LN(gelu(h · Wtᵀ + bt)), logits [N, V] =
// t · Eᵀ + bias with E the word embeddings (tied) or cls.predictions.decoder.weight, then
// cross-entropy against `mlm_labels` (unmasked positions carry an ignored id >= V).
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { crossEntropyForwardBackward } from '../../ops/crossentropy';
import { fill } from '../../ops/fill';
import { geluBackward, geluForward } from '../../ops/gelu';
import { matmul } from '../../ops/matmul';
import { layernormBackwardScratchWords } from '../../ops/layernorm';
import { linearBackward, linearForward } from '../blocks';
import { type NormActs, normBackward, normForward, planNorm } from '../layers/norm';
import { bind } from '../layers/plan';
import type { Head, HeadBuilder, HeadContext } from './head';

interface MlmActs {
  labels: Tensor; // [N] u32
  ones: Tensor; // [1, N]
  tPre: Tensor; // [N, C] before GELU
  t: Tensor; // [N, C]
  norm: NormActs; // LN(t)
  logits: Tensor; // [N, V]
  losses: Tensor; // [N]
  correct: Tensor; // [N]
  stats: Tensor; // [4]
}

interface MlmGrads {
  dlogits: Tensor; // [N, V]
  dnorm: Tensor; // [N, C]
  dt: Tensor; // [N, C]
  dtPre: Tensor; // [N, C]
  lnScratch: Tensor;
}

export function planMlmHead(h: HeadContext): HeadBuilder {
  const { a, d } = h.plans;
  const N = h.B * h.T;
  const { nEmbd: C, vocabSize: V, layerNormEps: eps, activation } = h.cfg;
  const names = {
    labels: a.add('mlm_labels', [N], 'u32'),
    ones: a.add('mlm.ones', [1, N]),
    tPre: a.add('mlm.tPre', [N, C]),
    t: a.add('mlm.t', [N, C]),
    norm: planNorm(a, 'mlm.norm', N, C),
    logits: a.add('mlm.logits', [N, V]),
    losses: a.add('mlm.losses', [N]),
    correct: a.add('mlm.correct', [N]),
    stats: a.add('mlm.stats', [4]),
  };
  const gradNames = {
    dlogits: d.add('mlm.dlogits', [N, V]),
    dnorm: d.add('mlm.dnorm', [N, C]),
    dt: d.add('mlm.dt', [N, C]),
    dtPre: d.add('mlm.dtPre', [N, C]),
    lnScratch: d.add('mlm.lnScratch', [layernormBackwardScratchWords(N, C)]),
  };
  return (acts, dacts, v): Head => {
    const x = bind<MlmActs>(acts, names);
    const g = bind<MlmGrads>(dacts, gradNames);
    const dense = v.linear('cls.predictions.transform.dense', 'out_in');
    const ln = v.norm('cls.predictions.transform.LayerNorm');
    const decKey = h.cfg.tiedEmbeddings ? h.tokensKey : 'cls.predictions.decoder.weight';
    const E = v.param(decKey); // [V, C]
    const dE = v.grad(decKey);
    const bias = h.cfg.bias ? v.param('cls.predictions.bias') : undefined; // [V]
    const dBias = h.cfg.bias ? v.grad('cls.predictions.bias') : undefined;
    const dims = { N, C, eps };
    return {
      inputs: { mlm_labels: x.labels },
      lossTerms: [x.stats],
      logits: x.logits,
      forward(rec: Recorder, hidden: Tensor) {
        fill(rec, x.ones, 1);
        if (activation === 'gelu_tanh') {
          linearForward(rec, x.t, hidden, dense.p, { gelu: true, preGelu: x.tPre, label: 'cls.transform' }); // t [N, C] = gelu(h · Wtᵀ + bt)
        } else {
          linearForward(rec, x.tPre, hidden, dense.p, { label: 'cls.transform' });
          geluForward(rec, x.t, x.tPre, activation);
        }
        normForward(rec, x.norm, ln, x.t, dims);
        matmul(rec, { out: x.logits, a: x.norm.out, b: E, transB: true, bias, label: 'cls.decoder' }); // logits [N, V]
        crossEntropyForwardBackward(rec, x.losses, g.dlogits, x.stats, x.logits, x.labels, { N, V, gradScale: h.gradScale }, x.correct);
      },
      backward(rec: Recorder, hidden: Tensor, dHidden: Tensor) {
        matmul(rec, { out: g.dnorm, a: g.dlogits, b: E, label: 'cls.decoder.dx' }); // dnorm [N, C] = dlogits · E
        if (dE) matmul(rec, { out: dE, a: g.dlogits, b: x.norm.out, transA: true, accumulate: true, label: 'cls.decoder.dw' });
        if (dBias) matmul(rec, { out: dBias.view([1, V], 0), a: x.ones, b: g.dlogits, accumulate: true, label: 'cls.decoder.db' });
        fill(rec, g.dt);
        normBackward(rec, g.dt, g.dnorm, x.norm, ln, x.t, dims, g.lnScratch);
        fill(rec, g.dtPre);
        geluBackward(rec, g.dtPre, g.dt, x.tPre, activation);
        linearBackward(rec, dHidden, 'add', dense.d, g.dtPre, hidden, dense.p, x.ones, 'cls.transform');
      },
    };
  };
}
