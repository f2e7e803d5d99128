// Embedding gather: out[p, c] (= or +=) table[id(p), c].
// id(p) = ids[p], or p % period when period > 0 (learned positions: no id buffer needed).
// Ids >= V gather zeros (padding / ignored positions).
// A table past one storage binding is gathered in row ranges, one dispatch each: `table` holds
// rows first .. first+V-1, ids outside them are misses; the first range writes zeros for its
// misses (unless accumulating), the later ones leave them alone.
// Bindings: 0 ids [N] u32 (read), 1 table [V, C] f32 (read), 2 out [N, C] f32 (read_write),
//           3 params { N, C, V, period, accumulate, stride, first, writeMisses } (grid-stride loop).
struct Params { N: u32, C: u32, V: u32, period: u32, accumulate: u32, stride: u32, first: u32, writeMisses: u32 }
@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = (wid.x + wid.y * nwg.x) * 256u + lid; i < p.N * p.C; i += p.stride) {
    let pos = i / p.C;
    let c = i - pos * p.C;
    var id = pos % max(p.period, 1u);
    if (p.period == 0u) { id = ids[pos]; }
    // Rows below `first` wrap to huge values: misses, like ids >= V.
    let row = id - p.first;
    if (row >= p.V) {
      if (p.writeMisses != 0u && p.accumulate == 0u) { out[i] = 0.0; }
      continue;
    }
    var value = table[row * p.C + c];
    if (p.accumulate != 0u) { value += out[i]; }
    out[i] = value;
  }
}
