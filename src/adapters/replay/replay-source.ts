import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { either as E } from 'fp-ts';
import { fileByteSource } from '../recording/byte-source.ts';
import type { SessionHeader } from '../recording/session-header.ts';
import { describeHeaderProblem, readSessionHeader } from '../recording/session-reader.ts';

/** A file replay can read: a recorded session (raw frames), or normalized ticks as NDJSON. */
export type ReplaySource =
  | {
      readonly kind: 'session';
      readonly path: string;
      readonly size: number;
      readonly header: SessionHeader;
      /** Where the blocks begin. */
      readonly bodyStart: number;
    }
  | { readonly kind: 'ndjson'; readonly path: string; readonly size: number };

/** Why a path cannot be replayed; said before anything is replayed. */
export interface ReplaySourceRefused {
  readonly kind: 'ReplaySourceRefused';
  readonly path: string;
  readonly reason: string;
}

const refused = (path: string, reason: string): E.Either<ReplaySourceRefused, never> =>
  E.left({ kind: 'ReplaySourceRefused', path, reason });

/** Session files end in .tfrec; a directory stands for the ones in it, in name (= time) order. */
export const SESSION_FILE_EXTENSION = '.tfrec';

/** Opens a file enough to know what it is and to check its header. */
export const openReplaySource = async (
  path: string,
): Promise<E.Either<ReplaySourceRefused, ReplaySource>> => {
  let source;
  try {
    source = await fileByteSource(path);
  } catch (e) {
    return refused(path, (e as Error).message);
  }
  try {
    if (source.size === 0) return refused(path, 'the file is empty');
    const first = (await source.read(0, 1))[0];
    if (first === 0x7b) return E.right({ kind: 'ndjson', path, size: source.size }); // '{'
    const header = await readSessionHeader(source);
    if (E.isLeft(header)) {
      const why = describeHeaderProblem(header.left);
      return refused(path, header.left.kind === 'NotASessionFile' ? `${why}, nor NDJSON ticks` : why);
    }
    return E.right({
      kind: 'session',
      path,
      size: source.size,
      header: header.right.header,
      bodyStart: header.right.next,
    });
  } catch (e) {
    return refused(path, (e as Error).message);
  } finally {
    await source.close();
  }
};

/** The files the paths stand for: files as given, directories as their session files by name; every path that is neither, said. */
export const expandReplayPaths = async (
  paths: readonly string[],
): Promise<{ readonly files: readonly string[]; readonly refused: readonly ReplaySourceRefused[] }> => {
  const files: string[] = [];
  const refusals: ReplaySourceRefused[] = [];
  for (const path of paths) {
    try {
      if (!(await stat(path)).isDirectory()) {
        files.push(path);
        continue;
      }
      const names = (await readdir(path)).filter((n) => n.endsWith(SESSION_FILE_EXTENSION)).sort();
      if (names.length === 0) {
        refusals.push({
          kind: 'ReplaySourceRefused',
          path,
          reason: `no ${SESSION_FILE_EXTENSION} files in this directory`,
        });
      }
      files.push(...names.map((n) => join(path, n)));
    } catch (e) {
      refusals.push({ kind: 'ReplaySourceRefused', path, reason: (e as Error).message });
    }
  }
  return { files, refused: refusals };
};
