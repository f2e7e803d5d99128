// The Fine-tune tab's handlers: the engine's scope choices, a labeled file's preview (no GPU), and
// starting a fine-tune through the run service (one active run at a time, as run.start).
import { SCOPE_CHOICES } from '../../finetune/scope-choices.ts';
import { previewLabeledFile } from '../../finetune/preview.ts';
import { splitPredictions } from '../../finetune/examples.ts';
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

/** Texts longer than this are cut in the answer (a page of rows must fit one bridge message). */
const TEXT_CHARS = 500;

export const finetunePredictions: Handler<'finetune.predictions'> = async ({ runDir, label, predicted, offset = 0, limit = 100 }, host) => {
  const all = await splitPredictions(await host.gpu(), runsOf(host).inside(runDir), 'test');
  const rows = all.rows.filter((r) => (label === undefined || r.label === label) && (predicted === undefined || r.predicted === predicted));
  const cut = (t: string) => (t.length > TEXT_CHARS ? `${t.slice(0, TEXT_CHARS)}…` : t);
  const page = rows.slice(offset, offset + limit).map((r) => ({ ...r, text: cut(r.text), ...(r.pair !== undefined ? { pair: cut(r.pair) } : {}) }));
  return { labels: all.labels, split: all.split, total: rows.length, rows: page };
};

export const finetuneHandlers = {
  'finetune.scopes': finetuneScopes,
  'finetune.inspect': finetuneInspect,
  'finetune.start': finetuneStart,
  'finetune.predictions': finetunePredictions,
};
