import { open } from 'node:fs/promises';

/** Bytes read by position: a file, or memory in tests. */
export interface ByteSource {
  /** The size when opened; bytes appended later are not read. */
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer at the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export const memoryByteSource = (bytes: Uint8Array): ByteSource => ({
  size: bytes.length,
  read: (offset, length) =>
    Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + Math.max(0, length)))),
  close: () => Promise.resolve(),
});

export const fileByteSource = async (path: string): Promise<ByteSource> => {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      read: async (offset, length) => {
        const n = Math.max(0, Math.min(length, size - offset));
        const buffer = Buffer.allocUnsafe(n);
        let filled = 0;
        while (filled < n) {
          const { bytesRead } = await handle.read(buffer, filled, n - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      },
      close: () => handle.close(),
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
};
