import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

const isGzip = (head: Uint8Array): boolean => head[0] === 0x1f && head[1] === 0x8b;

/**
 * The bytes of a body that may be a gzip file (served as a file, not as `Content-Encoding`, which
 * fetch undoes itself): told by its magic number, gunzipped as it streams.
 */
export async function* gunzipIfNeeded(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head;
    for (let next = await it.next(); next.done !== true; next = await it.next()) yield next.value;
  }
  if (!isGzip(head)) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  // A failure on either side destroys `gunzip` with it, which ends the loop below with that error.
  const feeding = pipeline(all(), gunzip).catch(() => undefined);
  for await (const chunk of gunzip) yield chunk as Uint8Array;
  await feeding;
}
