// A fast non-cryptographic 64-bit string hash (two independent 32-bit multiply-xorshift lanes
// over UTF-16 code units). Used only for exact-duplicate detection, where per-document crypto
// hashing cost more than everything else in the import; 64 bits make an accidental collision
// (one unique document wrongly dropped) a ~1e-8 event even at a million documents.

export function hash64(s: string): [number, number] {
  let h1 = 0x9e3779b9 ^ s.length, h2 = 0x85ebca6b ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x5bd1e995); h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 ^ c, 0x27d4eb2f); h2 ^= h2 >>> 13;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b); h1 ^= h1 >>> 13; h1 = Math.imul(h1, 0xc2b2ae35); h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xcc9e2d51); h2 ^= h2 >>> 15; h2 = Math.imul(h2, 0x1b873593); h2 ^= h2 >>> 16;
  return [h1 >>> 0, h2 >>> 0];
}
