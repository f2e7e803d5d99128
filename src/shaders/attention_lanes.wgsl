// Prepended to the attention shaders: the element type of the [.., D] head tensors. With D % 4 == 0
// they are read as vec4f (D / 4 lanes per row: 2-3x faster on lavapipe, fewer invocations and
// bounds checks); otherwise as f32. `lanes` is the vector width, `hsum` reduces a dot product.
// The TypeScript side picks one of the two blocks below by cutting at the marker line.
alias hvec = vec4f;
const lanes: u32 = 4u;
fn hsum(x: vec4f) -> f32 { return x.x + x.y + x.z + x.w; }
//--- scalar
alias hvec = f32;
const lanes: u32 = 1u;
fn hsum(x: f32) -> f32 { return x; }
