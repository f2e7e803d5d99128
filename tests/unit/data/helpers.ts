// Temporary folders for import tests, removed after each file's tests.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), 'data-test-'));
  file(name: string, content: string | Uint8Array): string {
    const p = join(this.root, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  }
  path(name: string): string { return join(this.root, name); }
  /** Every entry under a folder, to prove nothing half-written was left behind. */
  list(name = '.'): string[] { return readdirSync(join(this.root, name)); }
  docs(corpusDir: string): { text: string; label?: string; source: number }[] {
    return readFileSync(join(corpusDir, 'documents.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  }
  dispose(): void { rmSync(this.root, { recursive: true, force: true }); }
}

export const fixture = (name: string): string => new URL(`../../fixtures/data/${name}`, import.meta.url).pathname;
