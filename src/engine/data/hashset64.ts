// A set of 64-bit hashes in typed arrays (open addressing, linear probing): exact-duplicate
// detection for millions of documents in 16 bytes each at worst, without millions of strings.

export class HashSet64 {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  size = 0;

  constructor(capacity = 1 << 16) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
  }

  /** Adds (hi, lo); returns false if it was already present. */
  add(hi: number, lo: number): boolean {
    if ((this.size + 1) * 2 > this.used.length) this.grow();
    const mask = this.used.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.used[i]) {
      if (this.hi[i] === hi && this.lo[i] === lo) return false;
      i = (i + 1) & mask;
    }
    this.used[i] = 1; this.hi[i] = hi; this.lo[i] = lo; this.size++;
    return true;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const cap = used.length * 2;
    this.hi = new Uint32Array(cap); this.lo = new Uint32Array(cap); this.used = new Uint8Array(cap); this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i]) this.add(hi[i], lo[i]);
  }
}
