import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsFile } from '../../../src/main/settings.ts';

describe('SettingsFile', () => {
  it('starts from defaults, remembers a driver choice, and reloads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'studio-settings-'));
    const settings = new SettingsFile(dir);
    expect(settings.current.vulkanDriver).toBe('auto');
    settings.update({ vulkanDriver: 'swiftshader' });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({ vulkanDriver: 'swiftshader' });
    expect(new SettingsFile(dir).current.vulkanDriver).toBe('swiftshader');
  });

  it('falls back to defaults on a corrupt or invalid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'studio-settings-'));
    writeFileSync(join(dir, 'settings.json'), '{ nope');
    expect(new SettingsFile(dir).current.vulkanDriver).toBe('auto');
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ vulkanDriver: 'voodoo' }));
    expect(new SettingsFile(dir).current.vulkanDriver).toBe('auto');
  });
});
