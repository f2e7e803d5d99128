// The Fine-tune tab's handlers: the engine's scope choices, a labeled file's preview (no GPU), and
// starting a fine-tune through the run service (one active run at a time, as run.start).
import { SCOPE_CHOICES } from '../../finetune/scope-choices.ts';
import { previewLabeledFile } from '../../finetune/preview.ts';
import { runsOf } from '../run-service/index.ts';
import { labeledOptions, namedAs } from '../run-service/finetune-run.ts';
import type { Handler } from './types.ts';

export const finetuneScopes: Handler<'finetune.scopes'> = async () => ({ scopes: SCOPE_CHOICES.map((c) => ({ ...c })) });

export const finetuneInspect: Handler<'finetune.inspect'> = async (params) => {
  const rename = (text: string) => namedAs(text, params.path, params.name);
  try {
    const p = previewLabeledFile(labeledOptions(params));
    return { ...p, bad: p.bad.map((b) => ({ ...b, file: rename(b.file) })), error: p.error === null ? null : rename(p.error) };
  } catch (error) {
    throw new Error(rename((error as Error).message), { cause: error });
  }
};

export const finetuneStart: Handler<'finetune.start'> = async (params, host) => runsOf(host).fineTune(params);

export const finetuneHandlers = {
  'finetune.scopes': finetuneScopes,
  'finetune.inspect': finetuneInspect,
  'finetune.start': finetuneStart,
};
