import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/** Largest chunk of one corpus.upload (the bridge refuses messages over 1 MiB; base64 adds a third). */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;

/**
 * Writes one chunk of a file the browser has but the host cannot read (a drop without a path)
 * into the host's per-session upload folder. Chunks come in order; `last` closes the file and the
 * reply carries its host path, ready for corpus.add.
 */
export const corpusUpload = defineCommand({
  target: 'engine',
  summary: 'Upload one chunk of a dropped file into the host upload folder',
  timeoutMs: 60_000,
  params: v.object({
    /** One id per dropped batch of files (letters, digits, dashes). */
    uploadId: v.pipe(v.string(), v.regex(/^[\w-]{1,64}$/)),
    /** The file's name, or its path inside a dropped folder ('a/b.txt'); no '..'. */
    name: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
    offset: v.pipe(v.number(), v.integer(), v.minValue(0)),
    data: v.instance(Uint8Array),
    last: v.boolean(),
  }),
  result: v.object({
    bytes: v.number(),
    /** Host path of the finished file (on the last chunk). */
    path: v.optional(v.string()),
  }),
});
