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
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({ vulkanDriver: 'swiftshader', adapter: 'high-performance' });
    expect(new SettingsFile(dir).current.vulkanDriver).toBe('swiftshader');
  });

  it('remembers an adapter choice, by preference or by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'studio-settings-'));
    const settings = new SettingsFile(dir);
    expect(settings.current.adapter).toBe('high-performance');
    settings.update({ adapter: { name: 'Intel(R) Iris(R) Xe Graphics' } });
    expect(new SettingsFile(dir).current.adapter).toEqual({ name: 'Intel(R) Iris(R) Xe Graphics' });
    settings.update({ adapter: 'low-power' });
    expect(new SettingsFile(dir).current).toEqual({ vulkanDriver: 'auto', adapter: 'low-power' });
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ adapter: { name: '' } }));
    expect(new SettingsFile(dir).current.adapter).toBe('high-performance');
  });

  it('falls back to defaults on a corrupt or invalid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'studio-settings-'));
    writeFileSync(join(dir, 'settings.json'), '{ nope');
    expect(new SettingsFile(dir).current.vulkanDriver).toBe('auto');
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ vulkanDriver: 'voodoo' }));
    expect(new SettingsFile(dir).current.vulkanDriver).toBe('auto');
  });
});
