// Unit and integration tests run the engine under plain Node: on Dawn's Node bindings, as the CLI
// does. (The engine itself takes its GPU from its host: src/engine/gpu/device.ts.)
import { useDawn } from '../src/engine/gpu/dawn.ts';

useDawn();
