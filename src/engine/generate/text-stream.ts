// Turns the growing list of generated ids into text pieces safe to show, and finds stop strings.
// The whole generated suffix is decoded each time (not token by token) because one character may
// span several byte-level tokens; text is held back while it ends in an incomplete character
// (U+FFFD) or in what could be the start of a stop string, so nothing shown is ever retracted.

export class TextStream {
  /** Characters of the decoded text already handed out. */
  private emitted = 0;
  private text = '';
  private readonly stops: string[];

  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    stops: readonly string[] = [],
  ) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  /**
   * Decodes `ids` (everything generated so far) and returns the new piece to show, and whether a
   * stop string appeared (the text is then cut just before it and the piece ends there).
   */
  push(ids: readonly number[]): { piece: string; stopped: boolean } {
    this.text = this.decode(ids);
    const cut = this.firstStop();
    if (cut >= 0) {
      this.text = this.text.slice(0, cut);
      return { piece: this.take(this.text.length), stopped: true };
    }
    return { piece: this.take(this.text.length - this.holdBack()), stopped: false };
  }

  /** The rest of the text, held back so far (call once generation ends without a stop string). */
  flush(): string {
    return this.take(this.text.length);
  }

  /** The generated text as it stands (cut at the stop string, if one was found). */
  get current(): string {
    return this.text;
  }

  private take(upTo: number): string {
    if (upTo <= this.emitted) return '';
    const piece = this.text.slice(this.emitted, upTo);
    this.emitted = upTo;
    return piece;
  }

  private firstStop(): number {
    let first = -1;
    // A stop string can only newly appear in text that overlaps what was not yet searched.
    const from = Math.max(0, this.emitted - Math.max(0, ...this.stops.map((s) => s.length)));
    for (const s of this.stops) {
      const i = this.text.indexOf(s, from);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    }
    return first;
  }

  /** Characters at the end to keep back: an unfinished character, or a stop string's beginning. */
  private holdBack(): number {
    const t = this.text;
    let hold = 0;
    while (hold < t.length && t[t.length - 1 - hold] === '\uFFFD') hold++;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, t.length); k > hold; k--) {
        if (t.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    return hold;
  }
}
