// safetensors (https://github.com/huggingface/safetensors): 8-byte little-endian header length N,
// N bytes of JSON {"__metadata__": {str: str}, name: {dtype, shape, data_offsets: [begin, end]}},
// then the raw little-endian tensor bytes, offsets relative to the end of the header.
// Written as the reference implementation does (so files are byte-identical to its output):
// tensors ordered by dtype (wider first) then name, compact JSON with __metadata__ first, header
// padded with spaces to a multiple of 8 bytes. Reads F32, F16, BF16 (widened to f32), I32, U32,
// I64 (narrowed, must fit); writes F32, I32, U32. Writes are atomic: a temp file, then rename.
// The format itself (parse, serialize) is plain JS and runs in a browser too; only the file
// functions need Node, and they fetch node:fs when called, so importing this module never does.
import type * as NodeFs from 'node:fs';

/** node:fs, or a clear error where there is none (a browser page, a worker without Node). */
function nodeFs(caller: string): typeof NodeFs {
  const fs = typeof process !== 'undefined' ? process.getBuiltinModule?.('node:fs') : undefined;
  if (!fs) throw new Error(`safetensors: ${caller} needs Node's file system; in a browser use parseSafetensors / serializeSafetensors`);
  return fs;
}

export type SafeDType = 'F32' | 'F16' | 'BF16' | 'I32' | 'U32' | 'I64' | 'F64';
export type TensorData = Float32Array | Int32Array | Uint32Array;

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: TensorData;
}

export interface SafeTensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafeDType, number> = { F64: 8, I64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2 };
// The reference implementation's Dtype enum order; files list higher ranks first.
const RANK: Record<SafeDType, number> = { F16: 11, BF16: 12, I32: 13, U32: 14, F32: 15, F64: 16, I64: 17 };
/** The header may not exceed this (the reference implementation's limit, 100 MB). */
const MAX_HEADER = 100_000_000;

function dtypeOf(data: TensorData): SafeDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Int32Array) return 'I32';
  return 'U32';
}

/** IEEE half to float. */
function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(path: string, name: string, dtype: SafeDType, bytes: Uint8Array): TensorData {
  const n = bytes.byteLength / BYTES[dtype];
  // Copy into a fresh, aligned buffer: offsets in the file need not be 4-byte aligned.
  const aligned = new Uint8Array(bytes).buffer; // a copy (Buffer.slice would share the pool)
  const view = new DataView(aligned);
  switch (dtype) {
    case 'F32':
      return new Float32Array(aligned);
    case 'I32':
      return new Int32Array(aligned);
    case 'U32':
      return new Uint32Array(aligned);
    case 'F64':
      return Float32Array.from(new Float64Array(aligned));
    case 'F16':
      return Float32Array.from({ length: n }, (_, i) => f16ToF32(view.getUint16(2 * i, true)));
    case 'BF16': {
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${path}: ${name}[${i}] = ${v} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** Parses a safetensors file already in memory. Throws naming the file and tensor on anything malformed. */
export function parseSafetensors(bytes: Uint8Array, path = '<buffer>'): SafeTensorsFile {
  if (bytes.byteLength < 8) throw new Error(`${path}: not a safetensors file (${bytes.byteLength} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(dv.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > bytes.byteLength) {
    throw new Error(`${path}: header length ${headerLen} is past the end of the file (${bytes.byteLength} bytes)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (err) {
    throw new Error(`${path}: header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = entry as { dtype: SafeDType; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new Error(`${path}: tensor '${name}' has unsupported dtype ${dtype}`);
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) {
      throw new Error(`${path}: tensor '${name}' has a malformed entry ${JSON.stringify(entry)}`);
    }
    const [begin, end] = offsets;
    const expected = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    if (!(begin >= 0 && end >= begin && end <= dataLen) || end - begin !== expected) {
      throw new Error(
        `${path}: tensor '${name}' (${dtype} [${shape}]) has data_offsets [${begin}, ${end}], ` +
          `expected ${expected} bytes within ${dataLen}`,
      );
    }
    const data = decode(path, name, dtype, bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

export function readSafetensors(path: string): SafeTensorsFile {
  return parseSafetensors(nodeFs('readSafetensors').readFileSync(path), path);
}

export interface TensorToWrite {
  shape: readonly number[];
  data: TensorData;
}

/** Serializes tensors (F32, I32 or U32 by the array's type) exactly as the reference implementation does. */
export function serializeSafetensors(tensors: Record<string, TensorToWrite> | Map<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const items = entries.map(([name, t]) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    return { name, dtype: dtypeOf(t.data), shape: [...t.shape], data: t.data };
  });
  items.sort((a, b) => RANK[b.dtype] - RANK[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const it of items) {
    header[it.name] = { dtype: it.dtype, shape: it.shape, data_offsets: [offset, offset + it.data.byteLength] };
    offset += it.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const it of items) {
    // Typed arrays are little-endian on every platform we run on (x86, ARM).
    out.set(new Uint8Array(it.data.buffer, it.data.byteOffset, it.data.byteLength), at);
    at += it.data.byteLength;
  }
  return out;
}

/** Writes `path` atomically: the bytes go to a temp file beside it, fsync'd, then renamed over it. */
export function writeSafetensors(path: string, tensors: Record<string, TensorToWrite> | Map<string, TensorToWrite>, metadata?: Record<string, string>): void {
  const { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } = nodeFs('writeSafetensors');
  const bytes = serializeSafetensors(tensors, metadata);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw new Error(`safetensors: writing ${path} failed: ${(err as Error).message}`);
  }
  closeSync(fd);
  renameSync(tmp, path);
}
