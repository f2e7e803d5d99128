// The built-in demo models: run folders in assets/demo-models/<name>/ (scripts/demo-models.ts
// trains them), listed with the user's runs but read-only: not deletable, not resumable.
// manifest.json records how each was made and what it scored.

/** Where the demo runs live, relative to the repository root (and to the app's assets folder's parent). */
export const DEMO_DIR = 'assets/demo-models';
/** The demo runs' folder inside an assets folder. */
export const DEMO_SUBDIR = 'demo-models';
export const MANIFEST_FILE = 'manifest.json';

export interface DemoManifestEntry {
  kind: 'train' | 'finetune';
  name: string;
  role: string;
  /** The corpus (train) or labeled file (finetune), named in the shared datasets folder. */
  corpus: string;
  /** A fine-tuned model's pretrained run. */
  from?: string;
  /** Every option given to the CLI command. */
  options: Record<string, string | number | boolean | string[]>;
  checkpoint: string;
  bytes: number;
  trainSeconds: number;
  figures: Record<string, unknown>;
}

export interface DemoManifest {
  machine?: string;
  models: DemoManifestEntry[];
}
