// Deterministic embedding gradient dTable[v, :] += sum over positions p with ids[p] == v of dOut[p, :],
// summed in increasing p, with no float atomics: a stable counting sort of positions by id, then
// each bucket is summed in order by one thread per channel: `bucket_sum` runs a thread per (v, c)
// (small vocabularies), `slot_sum` a thread per (sorted slot, c) that works only where a bucket
// starts (large vocabularies: N*C threads instead of V*C). Same sums, same order, same bits.
// Six entry points run in sequence on one bind set.
// Positions are split in chunks of 256; `work` (u32) holds, in order:
//   rank[N]             position's rank among equal ids earlier in its chunk (0xffffffff: id >= V)
//   base[chunks * V]    per (chunk, v): count, then (after `chunk_scan`) exclusive prefix over chunks
//   total[V]            bucket size of v
//   start[V]            bucket start of v (exclusive prefix over v)
//   sorted[N]           positions grouped by id, increasing within a bucket
// A table past one storage binding is done in row ranges, the six passes once per range: dTable
// holds rows first .. first+V-1 and ids outside them are skipped like ids >= V.
// Bindings: 0 ids [N] u32 (read), 1 dOut [N, C] (read), 2 dTable [V, C] (read_write, accumulated),
//           3 work (read_write), 4 params { N, C, V, chunks, first }.
struct Params { N: u32, C: u32, V: u32, chunks: u32, first: u32 }
@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read_write> dTable: array<f32>;
@group(0) @binding(3) var<storage, read_write> work: array<u32>;
@group(0) @binding(4) var<uniform> p: Params;

const CHUNK: u32 = 256u;
const NONE: u32 = 0xffffffffu;
fn baseAt() -> u32 { return p.N; }
fn totalAt() -> u32 { return p.N + p.chunks * p.V; }
fn startAt() -> u32 { return totalAt() + p.V; }
fn sortedAt() -> u32 { return startAt() + p.V; }
fn linear(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * 256u + lid; }
// The row of position q's id in this range (>= V: not in it; ids below `first` wrap past V).
fn row(q: u32) -> u32 { return ids[q] - p.first; }

@compute @workgroup_size(256)
fn clear_counts(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear(wid, nwg, lid);
  if (i < p.chunks * p.V) { work[baseAt() + i] = 0u; }
}

@compute @workgroup_size(256)
fn rank(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let pos = linear(wid, nwg, lid);
  if (pos >= p.N) { return; }
  let id = row(pos);
  if (id >= p.V) { work[pos] = NONE; return; }
  let chunk = pos / CHUNK;
  let begin = chunk * CHUNK;
  let end = min(begin + CHUNK, p.N);
  var r = 0u;
  for (var q = begin; q < pos; q++) { r += select(0u, 1u, row(q) == id); }
  var last = true;
  for (var q = pos + 1u; q < end; q++) { if (row(q) == id) { last = false; break; } }
  work[pos] = r;
  if (last) { work[baseAt() + chunk * p.V + id] = r + 1u; }
}

@compute @workgroup_size(256)
fn chunk_scan(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let v = linear(wid, nwg, lid);
  if (v >= p.V) { return; }
  var run = 0u;
  for (var ch = 0u; ch < p.chunks; ch++) {
    let at = baseAt() + ch * p.V + v;
    let count = work[at];
    work[at] = run;
    run += count;
  }
  work[totalAt() + v] = run;
}

var<workgroup> partial: array<u32, 256>;

// One workgroup: exclusive prefix sum of total[V] into start[V].
@compute @workgroup_size(256)
fn vocab_scan(@builtin(local_invocation_index) lid: u32) {
  let per = (p.V + 255u) / 256u;
  let begin = min(lid * per, p.V);
  let end = min(begin + per, p.V);
  var sum = 0u;
  for (var v = begin; v < end; v++) { sum += work[totalAt() + v]; }
  partial[lid] = sum;
  workgroupBarrier();
  if (lid == 0u) {
    var run = 0u;
    for (var t = 0u; t < 256u; t++) { let s = partial[t]; partial[t] = run; run += s; }
  }
  workgroupBarrier();
  var run = partial[lid];
  for (var v = begin; v < end; v++) { work[startAt() + v] = run; run += work[totalAt() + v]; }
}

@compute @workgroup_size(256)
fn scatter(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let pos = linear(wid, nwg, lid);
  if (pos >= p.N) { return; }
  let r = work[pos];
  if (r == NONE) { return; }
  let id = row(pos);
  let slot = work[startAt() + id] + work[baseAt() + (pos / CHUNK) * p.V + id] + r;
  work[sortedAt() + slot] = pos;
}

@compute @workgroup_size(256)
fn bucket_sum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear(wid, nwg, lid);
  if (i >= p.V * p.C) { return; }
  let v = i / p.C;
  let c = i - v * p.C;
  let count = work[totalAt() + v];
  if (count == 0u) { return; }
  let begin = sortedAt() + work[startAt() + v];
  var sum = 0.0;
  for (var k = 0u; k < count; k++) { sum += dOut[work[begin + k] * p.C + c]; }
  dTable[i] += sum;
}

@compute @workgroup_size(256)
fn slot_sum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear(wid, nwg, lid);
  if (i >= p.N * p.C) { return; }
  let slot = i / p.C;
  let c = i - slot * p.C;
  let used = work[startAt() + p.V - 1u] + work[totalAt() + p.V - 1u]; // positions with a valid id
  if (slot >= used) { return; }
  let v = row(work[sortedAt() + slot]);
  if (work[startAt() + v] != slot) { return; } // not the first slot of its bucket
  let count = work[totalAt() + v];
  let begin = sortedAt() + slot;
  var sum = 0.0;
  for (var k = 0u; k < count; k++) { sum += dOut[work[begin + k] * p.C + c]; }
  dTable[v * p.C + c] += sum;
}
