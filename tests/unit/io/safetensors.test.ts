import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from '../../../src/engine/io/safetensors';

const GOLDENS = join(__dirname, '..', '..', 'goldens');
const dir = mkdtempSync(join(tmpdir(), 'safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds a file by hand from the spec: u64 LE header length, JSON, raw bytes. */
function handMade(header: string, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('writes the exact bytes the spec prescribes for a small file', () => {
  const bytes = serializeSafetensors({ b: { shape: [2], data: new Int32Array([7, -1]) }, a: { shape: [1, 2], data: new Float32Array([1, -2]) } }, { format: 'pt' });
  const header = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}}';
  const pad = (8 - (header.length % 8)) % 8;
  const expected = handMade(header + ' '.repeat(pad), [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
  expect((8 + header.length + pad) % 8).toBe(0);
});

test('reads the Python-written goldens and re-writes them byte for byte', () => {
  for (const name of ['gpt', 'gpt_nobias', 'bert']) {
    const path = join(GOLDENS, `${name}.safetensors`);
    const file = readSafetensors(path);
    expect(file.metadata).toEqual({ case: name });
    expect(file.tensors.size).toBeGreaterThan(10);
    const ids = file.tensors.get(name === 'bert' ? 'input.input_ids' : 'input.idx')!;
    expect(ids.dtype).toBe('I32');
    expect(ids.shape).toEqual([3, 11]);
    const again = serializeSafetensors(file.tensors, file.metadata);
    expect(Buffer.from(again).equals(readFileSync(path))).toBe(true);
  }
});

test('round-trips f32, i32 and u32 through an atomic write', () => {
  const path = join(dir, 'model.safetensors');
  const w = Float32Array.from({ length: 3 * 5 }, (_, i) => Math.sin(i) * 1e3);
  const ids = Uint32Array.from([0, 1, 0xffffffff]);
  writeSafetensors(path, { 'transformer.wte.weight': { shape: [3, 5], data: w }, ids: { shape: [3], data: ids } }, { step: '12' });
  writeSafetensors(path, { 'transformer.wte.weight': { shape: [3, 5], data: w }, ids: { shape: [3], data: ids } }, { step: '13' });
  expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temp file left behind
  const back = readSafetensors(path);
  expect(back.metadata.step).toBe('13');
  expect(Array.from(back.tensors.get('transformer.wte.weight')!.data)).toEqual(Array.from(w));
  expect(back.tensors.get('ids')!.dtype).toBe('U32');
  expect(Array.from(back.tensors.get('ids')!.data)).toEqual(Array.from(ids));
});

test('widens F16 and BF16 and narrows I64', () => {
  const f16 = [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x01, 0x00]; // 1, -2, 0.5, smallest subnormal
  const bf16 = [0x80, 0x3f, 0x40, 0xc0]; // 1, -3
  const i64 = [5, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]; // 5, -2
  const header = '{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"l":{"dtype":"I64","shape":[2],"data_offsets":[12,28]}}';
  const file = parseSafetensors(handMade(header, [...f16, ...bf16, ...i64]));
  expect(Array.from(file.tensors.get('h')!.data)).toEqual([1, -2, 0.5, 2 ** -24]);
  expect(Array.from(file.tensors.get('b')!.data)).toEqual([1, -3]);
  expect(Array.from(file.tensors.get('l')!.data)).toEqual([5, -2]);
});

test('malformed files fail with the file and tensor named', () => {
  expect(() => parseSafetensors(new Uint8Array(4), 'tiny.st')).toThrow(/tiny.st: not a safetensors file/);
  const bad = handMade('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}}', new Array(12).fill(0));
  expect(() => parseSafetensors(bad, 'bad.st')).toThrow(/bad.st: tensor 'w' .*expected 16 bytes/);
  const long = handMade('{}', []);
  new DataView(long.buffer).setBigUint64(0, 999n, true);
  expect(() => parseSafetensors(long, 'cut.st')).toThrow(/cut.st: header length 999/);
  expect(() => parseSafetensors(handMade('{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}', [0]), 'q.st')).toThrow(/unsupported dtype Q4/);
  expect(existsSync(join(dir, 'nothing'))).toBe(false);
});
