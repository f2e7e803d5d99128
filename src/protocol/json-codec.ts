// JSON for the bridge's WebSocket that keeps typed arrays typed. Electron's IPC and the host's
// process channel use the structured clone, where a Float32Array (an attention map, a metrics
// batch) arrives as a Float32Array; over the bridge it travels as
//   { "$typed": "Float32Array", "base64": "<little-endian bytes>" }
// and is rebuilt on the other side, so both transports deliver the same values.
const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

function typedName(value: unknown): TypedName | undefined {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return undefined;
  const name = value.constructor.name;
  return Object.hasOwn(TYPED, name) ? (name as TypedName) : undefined;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    const name = typedName(item);
    if (!name) return item;
    const typed = item as Typed;
    return { $typed: name, base64: toBase64(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength)) };
  });
}

/** JSON.parse that rebuilds typed arrays; throws SyntaxError on bad JSON like JSON.parse. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    const { $typed, base64 } = item as { $typed?: unknown; base64?: unknown };
    if (typeof $typed !== 'string' || typeof base64 !== 'string' || !Object.hasOwn(TYPED, $typed)) return item;
    const Type = TYPED[$typed as TypedName];
    const bytes = fromBase64(base64);
    if (bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) return item; // not ours: leave it for validation to reject
    // Copy into a fresh, aligned buffer (a Float64Array needs 8-byte alignment).
    return new Type(bytes.slice().buffer);
  });
}
