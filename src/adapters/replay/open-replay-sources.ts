import { either as E } from 'fp-ts';
import { expandReplayPaths, openReplaySource, type ReplaySource } from './replay-source.ts';

/**
 * The replay's first step, so that a bad file is refused before any sink is opened: opens every
 * file (a missing file, a file that is not a recording, or one from a newer format version is
 * refused here, one line per file).
 */
export const openReplaySources = async (request: {
  readonly paths: readonly string[];
}): Promise<E.Either<readonly string[], readonly ReplaySource[]>> => {
  const paths = await expandReplayPaths(request.paths);
  const sources: ReplaySource[] = [];
  const problems = paths.refused.map((r) => `${r.path}: ${r.reason}`);
  for (const path of paths.files) {
    const opened = await openReplaySource(path);
    if (E.isLeft(opened)) problems.push(`${path}: ${opened.left.reason}`);
    else sources.push(opened.right);
  }
  if (problems.length > 0) return E.left(problems);
  if (sources.length === 0) return E.left(['nothing to replay']);
  return E.right(sources);
};
