import { OBJECTIVES, probeObjective } from '../model/objectives.ts';
import type { Handler } from './types.ts';

export const modelObjectives: Handler<'model.objectives'> = async () => ({
  objectives: await Promise.all(OBJECTIVES.map(probeObjective)),
});
