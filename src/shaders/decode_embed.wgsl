// Incremental decoding: token + position embedding for the rows being fed this step.
// x[r, c] = wte[tokens[r], c] + wpe[pos0 + r, c] for r < nRows; rows nRows..R-1 are zeroed so a
// prefill's matmuls (which run over all R rows) see finite values there.
// A token table past one storage binding is read in row ranges, one dispatch each: `wte` holds
// rows first .. first+V-1; the first range writes every row (position, plus the token where it
// is in range), the later ones add the tokens they hold.
// Bindings: 0 step (read, u32 [pos0, nRows, tokens[R]]), 1 wte [V, C], 2 wpe [maxT, C],
// 3 x [R, C] (write), 4 params. Grid: (ceil(C / 64), R).
struct Params { C: u32, V: u32, maxT: u32, first: u32, firstRange: u32, vocab: u32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> wte: array<f32>;
@group(0) @binding(2) var<storage, read> wpe: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let r = gid.y;
  if (c >= p.C) { return; }
  if (r >= step[1]) {
    if (p.firstRange != 0u) { x[r * p.C + c] = 0.0; }
    return;
  }
  // The host validates ids and positions; the clamps only keep a bad read inside the tables.
  let row = min(step[2u + r], p.vocab - 1u) - p.first; // wraps past V below this range
  var value = 0.0;
  if (row < p.V) { value = wte[row * p.C + c]; }
  if (p.firstRange != 0u) {
    let pos = min(step[0] + r, p.maxT - 1u);
    x[r * p.C + c] = value + wpe[pos * p.C + c];
  } else if (row < p.V) {
    x[r * p.C + c] += value;
  }
}
