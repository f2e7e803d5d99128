// Incremental decoding's attention of one (row, head), shared by decode_attention.wgsl (causal
// self-attention over the KV cache) and decode_cross_attention.wgsl (over the encoder's keys and
// values): one workgroup of WG threads, the row's `len` scores in `scores` from `sb`.
//   s_j = (q · k_j) * scale;  p = softmax(s);  y[r, h*D + d] = sum_j p_j v_j[d]
// The shader it is put in front of declares p (C, D, scale), `scores`, `y`, and where q, k and v
// are: qAt(r, h, d), kAt(h, j, d), vAt(h, j, d).
const WG: u32 = 64u;
var<workgroup> red: array<f32, 64>;

fn attend(r: u32, h: u32, len: u32, sb: u32, lid: u32) {
  var m = -3.402823e38;
  for (var j = lid; j < len; j += WG) {
    var s = 0.0;
    for (var d = 0u; d < p.D; d++) { s += qAt(r, h, d) * kAt(h, j, d); }
    s *= p.scale;
    scores[sb + j] = s;
    m = max(m, s);
  }
  red[lid] = m;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k >> 1u) {
    if (lid < k) { red[lid] = max(red[lid], red[lid + k]); }
    workgroupBarrier();
  }
  let mx = red[0];
  workgroupBarrier();

  var sum = 0.0;
  for (var j = lid; j < len; j += WG) {
    let e = exp(scores[sb + j] - mx);
    scores[sb + j] = e;
    sum += e;
  }
  red[lid] = sum;
  // Every thread reads all of this row's scores below: make the writes above visible.
  storageBarrier();
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k >> 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];

  for (var d = lid; d < p.D; d += WG) {
    var acc = 0.0;
    for (var j = 0u; j < len; j++) { acc += scores[sb + j] * vAt(h, j, d); }
    y[r * p.C + h * p.D + d] = acc * inv;
  }
}
