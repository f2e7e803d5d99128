// A streaming CSV/TSV record parser fed one physical line at a time (RFC 4180: fields in double
// quotes may hold the delimiter, newlines and "" for a quote). With quoting off (our default
// for .tsv, as GLUE's SST-2 files are written) quotes are ordinary characters.

export class CsvRecordParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private size = 0;
  /** Line on which the record being assembled started. */
  startLine = 0;

  constructor(private readonly delimiter: string, private readonly quoting: boolean) {}

  /** True while a quoted field spans lines. */
  get pending(): boolean { return this.inQuotes; }
  /** Characters buffered for the current record. */
  get bufferedChars(): number { return this.size; }

  /** Feed a line (without its newline). Returns the finished record, or null if it continues. */
  pushLine(line: string, lineNo: number): string[] | null {
    if (!this.inQuotes) { this.startLine = lineNo; this.fields = []; this.field = ''; this.size = 0; }
    else this.field += '\n';
    this.size += line.length + 1;
    if (!this.quoting) {
      const rec = line.split(this.delimiter);
      return rec;
    }
    let i = 0;
    const n = line.length;
    while (i < n) {
      if (this.inQuotes) {
        const q = line.indexOf('"', i);
        if (q < 0) { this.field += line.slice(i); i = n; break; }
        this.field += line.slice(i, q);
        if (line[q + 1] === '"') { this.field += '"'; i = q + 2; } else { this.inQuotes = false; i = q + 1; }
        continue;
      }
      const c = line[i];
      if (c === this.delimiter) { this.fields.push(this.field); this.field = ''; i++; continue; }
      if (c === '"' && this.field === '') { this.inQuotes = true; i++; continue; }
      // Unquoted run up to the next delimiter (a stray quote inside is kept literally).
      let j = line.indexOf(this.delimiter, i);
      if (j < 0) j = n;
      this.field += line.slice(i, j);
      i = j;
    }
    if (this.inQuotes) return null;
    this.fields.push(this.field);
    const rec = this.fields;
    this.fields = []; this.field = ''; this.size = 0;
    return rec;
  }
}
