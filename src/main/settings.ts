// The app's few persisted settings (userData/settings.json), validated on load like any message
// from outside: a corrupt file means defaults, never a crash. Written atomically.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { AdapterChoiceSchema, DriverChoiceSchema } from '../protocol/index.ts';

const SettingsSchema = v.object({
  /** Which Vulkan driver the engine host starts with (see src/engine/gpu/drivers.ts). */
  vulkanDriver: v.optional(DriverChoiceSchema, 'auto'),
  /** Which WebGPU adapter the engine opens (src/engine/gpu/adapters.ts). */
  adapter: v.optional(AdapterChoiceSchema, 'high-performance'),
});
export type Settings = v.InferOutput<typeof SettingsSchema>;

export class SettingsFile {
  private readonly path: string;
  current: Settings;

  constructor(dir: string) {
    this.path = join(dir, 'settings.json');
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      // missing or unreadable: defaults
    }
    const parsed = v.safeParse(SettingsSchema, raw);
    this.current = parsed.success ? parsed.output : v.parse(SettingsSchema, {});
  }

  update(change: Partial<Settings>): void {
    this.current = { ...this.current, ...change };
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify(this.current, null, 2));
    renameSync(temp, this.path);
  }
}
