// Prepended to elementwise and row shaders: the element type they load and store. CPU drivers
// pay per load instruction, and a vec4 load costs them about as much as a scalar one, so tensors
// (or rows) whose size is a multiple of 4 are walked as vec4f (2-3x faster on lavapipe); others
// as f32. `lanes` is the width, `vsum` adds the lanes. The TypeScript side picks one of the two
// blocks below by cutting at the marker line.
alias V = vec4f;
const lanes: u32 = 4u;
fn vsum(x: vec4f) -> f32 { return x.x + x.y + x.z + x.w; }
//--- scalar
alias V = f32;
const lanes: u32 = 1u;
fn vsum(x: f32) -> f32 { return x; }
