// Prepended to elementwise shaders: the element type they load and store. CPU drivers pay per
// load instruction, and a vec4 load costs them about as much as a scalar one, so tensors whose
// size is a multiple of 4 are walked as vec4f (2-3x faster on lavapipe); others as f32. The
// TypeScript side picks one of the two blocks below by cutting at the marker line.
alias V = vec4f;
//--- scalar
alias V = f32;
