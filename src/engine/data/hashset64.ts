// A set of 64-bit hashes in typed arrays (open addressing, linear probing): exact-duplicate
// detection for millions of documents in 9 bytes a slot, at most half the slots used (18-36
// bytes a hash), without millions of strings. It grows by doubling up to `maxCapacity` slots;
// then it is full (canAdd() false) and only answers has().

export class HashSet64 {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  size = 0;

  /** Both powers of two; `maxCapacity` slots hold maxCapacity / 2 hashes. */
  constructor(capacity = 1 << 16, private readonly maxCapacity = Infinity) {
    capacity = Math.min(capacity, maxCapacity);
    if (!(capacity >= 2) || (capacity & (capacity - 1)) !== 0) throw new Error(`HashSet64: capacity must be a power of two ≥ 2, got ${capacity}`);
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
  }

  /** Bytes a set of `slots` slots holds, and at its last doubling (old and new arrays at once). */
  static bytes(slots: number): { steady: number; growing: number } {
    return { steady: 9 * slots, growing: 9 * slots + 9 * (slots / 2) };
  }

  /** The most slots whose last doubling stays within `bytes` (a power of two, at least 2). */
  static slotsWithin(bytes: number): number {
    let slots = 2;
    while (HashSet64.bytes(slots * 2).growing <= bytes) slots *= 2;
    return slots;
  }

  /** False once one more hash would need more than maxCapacity slots. */
  canAdd(): boolean {
    return (this.size + 1) * 2 <= this.maxCapacity;
  }

  /** Adds (hi, lo); returns false if it was already present. */
  add(hi: number, lo: number): boolean {
    if ((this.size + 1) * 2 > this.used.length) {
      if (!this.canAdd()) throw new Error(`HashSet64: full (${this.size} hashes in ${this.maxCapacity} slots)`);
      this.grow();
    }
    const mask = this.used.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.used[i]) {
      if (this.hi[i] === hi && this.lo[i] === lo) return false;
      i = (i + 1) & mask;
    }
    this.used[i] = 1; this.hi[i] = hi; this.lo[i] = lo; this.size++;
    return true;
  }

  has(hi: number, lo: number): boolean {
    const mask = this.used.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.used[i]) {
      if (this.hi[i] === hi && this.lo[i] === lo) return true;
      i = (i + 1) & mask;
    }
    return false;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const cap = used.length * 2;
    this.hi = new Uint32Array(cap); this.lo = new Uint32Array(cap); this.used = new Uint8Array(cap); this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i]) this.add(hi[i], lo[i]);
  }
}
