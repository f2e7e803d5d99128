// Command-line overrides, nanoGPT's configurator without exec: --key=value or --key value for any
// key of the defaults object, parsed to the type of its default; unknown keys and bad values are
// refused with the key named. Repeated or space-separated values fill array options.
export type Flat = Record<string, string | number | boolean | string[]>;

export interface ParsedArgs<T extends Flat> {
  values: T;
  /** Keys the user set explicitly. */
  given: Set<keyof T>;
  /** Arguments that were not --options. */
  positional: string[];
}

function convert(key: string, raw: string, example: unknown): string | number | boolean {
  if (typeof example === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`--${key} expects a number; got '${raw}'`);
    return n;
  }
  if (typeof example === 'boolean') {
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    throw new Error(`--${key} expects true or false; got '${raw}'`);
  }
  return raw;
}

export function parseArgs<T extends Flat>(argv: readonly string[], defaults: T, booleanFlags: readonly string[] = []): ParsedArgs<T> {
  const values = structuredClone(defaults) as Flat;
  const given = new Set<keyof T>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    if (!(key in defaults)) throw new Error(`Unknown option --${key} (see --help)`);
    const example = defaults[key];
    if (Array.isArray(example)) {
      const items: string[] = eq >= 0 ? [arg.slice(eq + 1)] : [];
      while (eq < 0 && i + 1 < argv.length && !argv[i + 1].startsWith('--')) items.push(argv[++i]);
      if (items.length === 0) throw new Error(`--${key} expects at least one value`);
      values[key] = [...(given.has(key) ? (values[key] as string[]) : []), ...items];
    } else if (eq >= 0) {
      values[key] = convert(key, arg.slice(eq + 1), example);
    } else if (typeof example === 'boolean' && (booleanFlags.includes(key) || i + 1 >= argv.length || argv[i + 1].startsWith('--'))) {
      values[key] = true;
    } else {
      if (i + 1 >= argv.length) throw new Error(`--${key} expects a value`);
      values[key] = convert(key, argv[++i], example);
    }
    given.add(key);
  }
  return { values: values as T, given, positional };
}
