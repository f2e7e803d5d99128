// Text generation for decoder models: the public surface used by the CLI and the engine host.
export { generate, generateText, type GenerateOptions, type GenerationEvent, type GenerationResult, type StopReason, type TextCodec } from './generate';
export { KvDecoder, type KvDecoderOptions } from './kv-decoder';
export { loadDecoder } from './load';
export { SeededRng, randomSeed } from './rng';
export { Sampler, applyRepetitionPenalty, argmax, resolveSampling, type SamplingOptions } from './sampling';
export { TextStream } from './text-stream';
export { softmax64, topCandidates, type Candidate } from './next-token';
export { uploadWeights, weightsFromFlat, weightsFromMap, type DecoderWeights } from './weights';
