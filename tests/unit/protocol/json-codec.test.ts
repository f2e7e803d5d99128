import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/protocol/index.ts';

function randomFloats(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (Math.random() - 0.5) * 1e3;
  return out;
}

describe('JSON codec for the bridge', () => {
  it('round-trips typed arrays bit for bit, nested anywhere, including views into larger buffers', () => {
    const probs = randomFloats(4 * 17 * 17);
    probs[0] = NaN;
    probs[1] = -0;
    probs[2] = Infinity;
    const big = new Float64Array(65);
    big.set([Math.PI, -1e-300, Number.MAX_VALUE], 10);
    const view = new Uint16Array(new Uint16Array([1, 2, 3, 65535, 5]).buffer, 2, 3);
    const value = { type: 'reply', result: { layers: [{ probs }], big, view, ids: new Int32Array([-7, 0, 2 ** 31 - 1]) } };
    const decoded = decodeJson(encodeJson(value)) as typeof value;
    const again = decoded.result;
    expect(again.layers[0].probs).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(again.layers[0].probs.buffer)).toEqual(new Uint8Array(probs.buffer));
    expect(Object.is(again.layers[0].probs[1], -0)).toBe(true);
    expect(again.big).toBeInstanceOf(Float64Array);
    expect(Array.from(again.big)).toEqual(Array.from(big));
    expect(Array.from(again.view)).toEqual([2, 3, 65535]);
    expect(Array.from(again.ids)).toEqual([-7, 0, 2 ** 31 - 1]);
  });

  it('handles arrays larger than one encoding chunk', () => {
    const large = randomFloats(100_003);
    const back = decodeJson(encodeJson(large)) as Float32Array;
    expect(back.length).toBe(large.length);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(large.buffer));
  });

  it('leaves look-alikes it does not own alone, and plain JSON unchanged', () => {
    const fake = { $typed: 'Function', base64: 'AAAA' };
    expect(decodeJson(JSON.stringify(fake))).toEqual(fake);
    const misaligned = { $typed: 'Float32Array', base64: btoa('abc') };
    expect(decodeJson(JSON.stringify(misaligned))).toEqual(misaligned);
    const plain = { a: [1, 'b', null, { c: true }] };
    expect(decodeJson(encodeJson(plain))).toEqual(plain);
    expect(() => decodeJson('{ nope')).toThrow(SyntaxError);
  });
});
