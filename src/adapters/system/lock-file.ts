import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isProcessAlive } from './process-alive.ts';

/** Another live process holds the lock. */
export class LockHeld extends Error {
  readonly file: string;
  readonly pid: number;
  constructor(file: string, pid: number) {
    super(`${file} is held by process ${pid}`);
    this.name = 'LockHeld';
    this.file = file;
    this.pid = pid;
  }
}

// Our own pid in the file is a lock a previous run left (containers reuse pid 1), not ours.
const isAlive = (pid: number): boolean => pid !== process.pid && isProcessAlive(pid);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A lock file naming its holder's pid, created exclusively. A lock whose process is gone (a
 * SIGKILL) is taken over. Waits up to `waitMs` for a live holder, then throws `LockHeld`; resolves
 * with the function that releases it. Keeps two services off one DATA_DIR, and two publish stages
 * (an orphan finishing its close while the next one starts) off one tick journal.
 */
export const acquireLockFile = async (
  file: string,
  waitMs: number,
  pollMs = 100,
): Promise<() => Promise<void>> => {
  await mkdir(dirname(file), { recursive: true });
  const deadline = Date.now() + waitMs;
  let emptyReads = 0;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(file).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const text = (await readFile(file, 'utf8').catch(() => '')).trim();
    // Empty: its creator is between `open` and `write`, or died there; give it a moment.
    if (text === '' && (emptyReads += 1) < 20) {
      await sleep(pollMs);
      continue;
    }
    const pid = Number(text);
    if (!Number.isSafeInteger(pid) || pid <= 0 || !isAlive(pid)) {
      // Its holder is gone (a SIGKILL): take it over.
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) throw new LockHeld(file, pid);
    await sleep(pollMs);
  }
};
