// BERT's pooler + next-sentence head: pooled [B, C] = tanh(h[CLS] · Wpᵀ + bp), read from the
// [CLS] rows in place (row stride T·C), logits [B, 2] = pooled · Wsᵀ + bs, cross-entropy against
// `nsp_labels`.
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { crossEntropyForwardBackward } from '../../ops/crossentropy';
import { fill } from '../../ops/fill';
import { matmul } from '../../ops/matmul';
import { tanhBackward, tanhForward } from '../../ops/tanh';
import { linearBackward, linearForward } from '../blocks';
import { bind } from '../layers/plan';
import type { Head, HeadBuilder, HeadContext } from './head';

interface NspActs {
  labels: Tensor; // [B] u32
  ones: Tensor; // [1, B]
  pooledPre: Tensor; // [B, C]
  pooled: Tensor; // [B, C]
  logits: Tensor; // [B, 2]
  losses: Tensor; // [B]
  correct: Tensor; // [B]
  stats: Tensor; // [4]
}

interface NspGrads {
  dlogits: Tensor; // [B, 2]
  dpooled: Tensor; // [B, C]
  dpooledPre: Tensor; // [B, C]
}

export function planNspHead(h: HeadContext): HeadBuilder {
  const { a, d } = h.plans;
  const { B, T } = h;
  const C = h.cfg.nEmbd;
  const names = {
    labels: a.add('nsp_labels', [B], 'u32'),
    ones: a.add('nsp.ones', [1, B]),
    pooledPre: a.add('nsp.pooledPre', [B, C]),
    pooled: a.add('nsp.pooled', [B, C]),
    logits: a.add('nsp.logits', [B, 2]),
    losses: a.add('nsp.losses', [B]),
    correct: a.add('nsp.correct', [B]),
    stats: a.add('nsp.stats', [4]),
  };
  const gradNames = { dlogits: d.add('nsp.dlogits', [B, 2]), dpooled: d.add('nsp.dpooled', [B, C]), dpooledPre: d.add('nsp.dpooledPre', [B, C]) };
  return (acts, dacts, v): Head => {
    const x = bind<NspActs>(acts, names);
    const g = bind<NspGrads>(dacts, gradNames);
    const pool = v.linear('bert.pooler.dense', 'out_in');
    const cls = v.linear('cls.seq_relationship', 'out_in');
    return {
      inputs: { nsp_labels: x.labels },
      lossTerms: [x.stats],
      logits: x.logits,
      forward(rec: Recorder, hidden: Tensor) {
        fill(rec, x.ones, 1);
        // pooledPre [B, C] = h[b*T, :] · Wpᵀ + bp: the [CLS] rows read in place (row stride T*C).
        matmul(rec, {
          out: x.pooledPre, a: hidden, b: pool.p.w, transB: true, bias: pool.p.b, label: 'pooler',
          layout: { m: B, n: C, k: C, a: { ld: T * C }, b: { ld: C }, out: { ld: C } },
        });
        tanhForward(rec, x.pooled, x.pooledPre);
        linearForward(rec, x.logits, x.pooled, cls.p, { label: 'cls.seq_relationship' }); // logits [B, 2]
        crossEntropyForwardBackward(rec, x.losses, g.dlogits, x.stats, x.logits, x.labels, { N: B, V: 2, gradScale: h.gradScale }, x.correct);
      },
      backward(rec: Recorder, hidden: Tensor, dHidden: Tensor) {
        linearBackward(rec, g.dpooled, 'set', cls.d, g.dlogits, x.pooled, cls.p, x.ones, 'cls.seq_relationship'); // dpooled [B, C]
        fill(rec, g.dpooledPre);
        tanhBackward(rec, g.dpooledPre, g.dpooled, x.pooled);
        // d[CLS rows] += dpooledPre · Wp; dWp += dpooledPreᵀ · [CLS rows]; dbp += 1ᵀ · dpooledPre
        matmul(rec, {
          out: dHidden, a: g.dpooledPre, b: pool.p.w, accumulate: true, label: 'pooler.dx',
          layout: { m: B, n: C, k: C, a: { ld: C }, b: { ld: C }, out: { ld: T * C } },
        });
        if (pool.d.dw) {
          matmul(rec, {
            out: pool.d.dw, a: g.dpooledPre, b: hidden, transA: true, accumulate: true, label: 'pooler.dw',
            layout: { m: C, n: C, k: B, a: { ld: C }, b: { ld: T * C }, out: { ld: C } },
          });
        }
        if (pool.d.db) matmul(rec, { out: pool.d.db.view([1, C], 0), a: x.ones, b: g.dpooledPre, accumulate: true, label: 'pooler.db' });
      },
    };
  };
}
