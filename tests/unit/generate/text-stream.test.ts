// Streaming text: pieces never need retracting (unfinished UTF-8 characters and possible stop
// string beginnings are held back), stop strings are found across token boundaries and cut.
import { expect, test } from 'vitest';
import { TextStream } from '../../../src/engine/generate/text-stream';

const utf8 = new TextDecoder();
const bytesCodec = (ids: readonly number[]) => utf8.decode(Uint8Array.from(ids));
const enc = (s: string) => [...new TextEncoder().encode(s)];

function streamAll(text: string, stops: string[]) {
  const ids = enc(text);
  const s = new TextStream(bytesCodec, stops);
  const pieces: string[] = [];
  for (let i = 1; i <= ids.length; i++) {
    const { piece, stopped } = s.push(ids.slice(0, i));
    pieces.push(piece);
    if (stopped) return { pieces, stopped: true, text: s.current, tail: s.flush() };
  }
  return { pieces, stopped: false, text: s.current, tail: s.flush() };
}

test('a multi-byte character split over byte tokens appears once, whole', () => {
  const { pieces, text, tail } = streamAll('a中😀b', []);
  expect(pieces).toEqual(['a', '', '', '中', '', '', '', '😀', 'b']);
  expect(text).toBe('a中😀b');
  expect(tail).toBe('');
});

test('a stop string spanning tokens is cut, and its beginning was never shown', () => {
  const r = streamAll('Hello\n\nWorld', ['\n\n']);
  expect(r.stopped).toBe(true);
  expect(r.text).toBe('Hello');
  expect(r.pieces.join('')).toBe('Hello');
  expect(r.pieces).toEqual(['H', 'e', 'l', 'l', 'o', '', '']);
});

test('a held-back prefix that turns out not to be a stop is released; the end flushes the rest', () => {
  const r = streamAll('ab-c--', ['--x', 'zz']);
  expect(r.stopped).toBe(false);
  expect(r.pieces).toEqual(['a', 'b', '', '-c', '', '']);
  expect(r.tail).toBe('--');
  expect(r.pieces.join('') + r.tail).toBe('ab-c--');
});

test('the earliest of several stop strings wins', () => {
  const r = streamAll('one. two! three', ['!', '. ']);
  expect(r.text).toBe('one');
  expect(r.pieces.join('') + r.tail).toBe('one');
});
