// Attention inspection: run a model over the user's sentences and keep every layer's probabilities.
export { AttentionInspector, cropHeads, type SentenceAttention } from './inspector';
export { inspectSentences, defaultProbes, DEFAULT_SENTENCES } from './sentences';
export { listSnapshots, readSnapshot, writeSnapshot, snapshotPath, writeProbeSettings, readProbeSettings, ATTENTION_DIR, type ProbeSettings, type AttentionSnapshot, type AttentionSentence } from './snapshots';
export { headStats, CLS_TOKEN, SEP_TOKEN, type HeadStat, type HeadStatsInput } from './head-stats';
export { attentionDifference, attentionDifferences, type ComparedSentence } from './compare';
