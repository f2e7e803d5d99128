// Hiding special tokens: [CLS]/[SEP]/BOS soak up much of the attention ("attention sinks"), which
// washes out everything else. Dropping their rows and columns and renormalizing each remaining row
// shows how the rest of a query's attention is shared among the visible keys.
import type { AttentionMatrix } from './types.ts';

/**
 * Keeps rows `keepRows` and columns `keepCols` of m and rescales each kept row to sum to 1 over
 * the kept columns (in float64, stored as float32 like the engine's maps). A row whose kept weights
 * sum to 0 (all its attention was on hidden tokens) stays all zeros rather than dividing by 0.
 */
export function renormalize(
  m: AttentionMatrix,
  keepRows: readonly number[],
  keepCols: readonly number[] = keepRows,
): AttentionMatrix & { values: Float32Array } {
  for (const r of keepRows) if (r < 0 || r >= m.rows) throw new Error(`renormalize: row ${r} out of [0, ${m.rows})`);
  for (const c of keepCols) if (c < 0 || c >= m.cols) throw new Error(`renormalize: column ${c} out of [0, ${m.cols})`);
  const rows = keepRows.length;
  const cols = keepCols.length;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const rowStart = keepRows[i] * m.cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += m.values[rowStart + keepCols[j]];
    if (sum <= 0) continue;
    for (let j = 0; j < cols; j++) out[i * cols + j] = m.values[rowStart + keepCols[j]] / sum;
  }
  return { values: out, rows, cols };
}
