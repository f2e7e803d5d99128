import { objectiveInfos } from '../model/objectives.ts';
import type { Handler } from './types.ts';

export const modelObjectives: Handler<'model.objectives'> = async () => ({ objectives: objectiveInfos() });
