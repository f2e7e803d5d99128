// Counter-based random bits (no state, no stored masks): bits(seed, stream, index) mixes the
// counters with lowbias32 (Chris Wellons), a bijective u32 hash with good avalanche. Prepended to
// kernels that need randomness; bit-exact with src/engine/reference/dropout.ts.
fn lowbias32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn stepSeed(seed: u32, step: u32) -> u32 { return lowbias32(seed ^ lowbias32(step)); }

fn randomBits(seed: u32, stream: u32, index: u32) -> u32 {
  let key = lowbias32(seed ^ lowbias32(stream + 0x9e3779b9u));
  return lowbias32(lowbias32(index ^ key) + key);
}
