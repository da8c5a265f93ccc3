import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pathWithThisNode } from './user-process.ts';

const run = promisify(execFile);

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** tickflow as a user has it: the packed tarball installed into an otherwise empty project. */
export interface InstalledPackage {
  /** The user's project folder, where every command runs. */
  readonly dir: string;
  /** The installed bin, `node_modules/.bin/tickflow`. */
  readonly bin: string;
  readonly tarball: string;
}

/** Runs a command to its end; a non-zero exit rejects with its output. */
export const runToEnd = async (
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithThisNode() },
): Promise<string> => {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    return stdout + stderr;
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${cwd} failed (exit ${String(err.code)}):\n${(err.stdout ?? '') + (err.stderr ?? '')}`.slice(
        0,
        8000,
      ),
      { cause: e },
    );
  }
};

/**
 * `npm run build` and `npm pack` in the checkout, then `npm init -y` and `npm install <tgz>` in an
 * empty folder, with the npm that runs on this Node.
 */
export const buildPackAndInstall = async (): Promise<InstalledPackage> => {
  await runToEnd('npm', ['run', 'build'], REPO);
  const packs = mkdtempSync(join(tmpdir(), 'tickflow-pack-'));
  await runToEnd('npm', ['pack', '--pack-destination', packs], REPO);
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${packs}`);
  const tarball = join(packs, tarballs[0] ?? '');
  // Not named "tickflow…": npm refuses to install a package into a project of the same name.
  const dir = mkdtempSync(join(tmpdir(), 'packed-user-'));
  await runToEnd('npm', ['init', '-y'], dir);
  await runToEnd('npm', ['install', '--no-audit', '--no-fund', tarball], dir);
  return { dir, bin: join(dir, 'node_modules', '.bin', 'tickflow'), tarball };
};
