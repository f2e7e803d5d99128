// The run.* and attention.* commands, spread into the registry (index.ts) in one line.
import { attentionCompare } from './attention-compare.ts';
import { attentionHeads } from './attention-heads.ts';
import { attentionInspect } from './attention-inspect.ts';
import { attentionSnapshot } from './attention-snapshot.ts';
import { attentionSnapshots } from './attention-snapshots.ts';
import { runDelete } from './run-delete.ts';
import { runHistory } from './run-history.ts';
import { runImport } from './run-import.ts';
import { runList } from './run-list.ts';
import { runOpen } from './run-open.ts';
import { runPause } from './run-pause.ts';
import { runResume } from './run-resume.ts';
import { runReveal } from './run-reveal.ts';
import { runStart } from './run-start.ts';
import { runStatus } from './run-status.ts';
import { runStop } from './run-stop.ts';

export const runCommands = {
  'run.start': runStart,
  'run.pause': runPause,
  'run.resume': runResume,
  'run.stop': runStop,
  'run.status': runStatus,
  'run.history': runHistory,
  'run.list': runList,
  'run.open': runOpen,
  'run.delete': runDelete,
  'run.import': runImport,
  'run.reveal': runReveal,
  'attention.inspect': attentionInspect,
  'attention.snapshots': attentionSnapshots,
  'attention.snapshot': attentionSnapshot,
  'attention.heads': attentionHeads,
  'attention.compare': attentionCompare,
} as const;
