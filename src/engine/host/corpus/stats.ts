// Statistics of several imported entries together: counts add up, histograms (same log2 edges
// everywhere, see src/engine/data/stats.ts) add bucket by bucket, label counts merge.
import type { CorpusStats } from '../../data/index.ts';

export function mergeStats(parts: readonly CorpusStats[]): CorpusStats {
  if (parts.length === 0) throw new Error('mergeStats: nothing to merge');
  const edges = parts[0].lengthHistogram.edges;
  const out: CorpusStats = {
    documents: 0, characters: 0, bytes: 0, tokens: null,
    scripts: { han: 0, latin: 0, otherLetters: 0 },
    documentsByScript: { han: 0, latin: 0, mixed: 0 },
    lengthHistogram: { edges: [...edges], counts: new Array<number>(edges.length).fill(0) },
    labels: {}, duplicatesDropped: 0, emptyDropped: 0,
  };
  for (const s of parts) {
    if (s.lengthHistogram.edges.length !== edges.length || s.lengthHistogram.edges.some((e, i) => e !== edges[i])) {
      throw new Error('mergeStats: length histograms with different bucket edges');
    }
    out.documents += s.documents;
    out.characters += s.characters;
    out.bytes += s.bytes;
    if (s.tokens !== null) out.tokens = (out.tokens ?? 0) + s.tokens;
    out.scripts.han += s.scripts.han;
    out.scripts.latin += s.scripts.latin;
    out.scripts.otherLetters += s.scripts.otherLetters;
    out.documentsByScript.han += s.documentsByScript.han;
    out.documentsByScript.latin += s.documentsByScript.latin;
    out.documentsByScript.mixed += s.documentsByScript.mixed;
    s.lengthHistogram.counts.forEach((c, i) => (out.lengthHistogram.counts[i] += c));
    for (const [label, n] of Object.entries(s.labels)) out.labels[label] = (out.labels[label] ?? 0) + n;
    out.duplicatesDropped += s.duplicatesDropped;
    out.emptyDropped += s.emptyDropped;
  }
  return out;
}
