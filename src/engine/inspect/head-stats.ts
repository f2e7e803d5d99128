// Per-head statistics of attention over a set of sentences (the run's probes), to find the
// interesting heads quickly. For head h of layer l, every query row i of every sentence, with
// p_ij its probabilities over the keys j (a distribution: it sums to 1):
//   entropy   H_i = -Σ_j p_ij ln p_ij           (nats; 0 = one key, ln t = uniform over t keys)
//   distance  D_i =  Σ_j p_ij |i - j|           (tokens; 0 = attends to itself)
//   [CLS]     C_i =  Σ_{j: token j is [CLS]} p_ij, likewise [SEP], and first F_i = p_i0
// each averaged over all query rows of all sentences (every row weighs the same). The [CLS] and
// [SEP] shares are averaged over the sentences that have such a token, and are null when none has.
// Square maps only (self-attention): query and key positions are the same tokens.

export interface HeadStat {
  layer: number;
  head: number;
  entropy: number;
  distance: number;
  cls: number | null;
  sep: number | null;
  first: number;
}

export interface HeadStatsInput {
  tokens: readonly string[];
  /** Per layer, probabilities [heads, t, t] row-major (row = query). */
  layers: readonly Float32Array[];
}

export const CLS_TOKEN = '[CLS]';
export const SEP_TOKEN = '[SEP]';

export function headStats(sentences: readonly HeadStatsInput[], nLayer: number, nHead: number): HeadStat[] {
  if (sentences.length === 0) throw new Error('head statistics: no sentences');
  const out: HeadStat[] = [];
  for (let l = 0; l < nLayer; l++) {
    for (let h = 0; h < nHead; h++) {
      let rows = 0, entropy = 0, distance = 0, first = 0;
      let clsRows = 0, cls = 0, sepRows = 0, sep = 0;
      sentences.forEach((s, si) => {
        const t = s.tokens.length;
        const probs = s.layers[l];
        if (!probs || probs.length !== nHead * t * t) {
          throw new Error(`head statistics: sentence ${si} layer ${l} has ${probs?.length ?? 0} values, expected ${nHead}×${t}×${t}`);
        }
        const clsAt = indicesOf(s.tokens, CLS_TOKEN);
        const sepAt = indicesOf(s.tokens, SEP_TOKEN);
        for (let i = 0; i < t; i++) {
          const row = h * t * t + i * t;
          for (let j = 0; j < t; j++) {
            const p = probs[row + j];
            if (p > 0) entropy -= p * Math.log(p);
            distance += p * Math.abs(i - j);
          }
          first += probs[row];
          if (clsAt.length) { clsRows++; for (const j of clsAt) cls += probs[row + j]; }
          if (sepAt.length) { sepRows++; for (const j of sepAt) sep += probs[row + j]; }
          rows++;
        }
      });
      out.push({
        layer: l, head: h, entropy: entropy / rows, distance: distance / rows, first: first / rows,
        cls: clsRows ? cls / clsRows : null, sep: sepRows ? sep / sepRows : null,
      });
    }
  }
  return out;
}

function indicesOf(tokens: readonly string[], token: string): number[] {
  const at: number[] = [];
  tokens.forEach((t, i) => { if (t === token) at.push(i); });
  return at;
}
