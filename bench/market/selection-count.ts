import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { demoLoginEnv } from '../support/demo-login-env.ts';

const MAIN = fileURLToPath(new URL('../../src/app/root/cli/main.ts', import.meta.url));

/** The part of `tickflow instruments --json` the benchmark reads. */
const SelectionCodec = t.type({
  selected: t.number,
  perSegment: t.record(t.string, t.number),
  master: t.type({ rows: t.number }),
});
export type Selection = t.TypeOf<typeof SelectionCodec>;

/**
 * What `INSTRUMENTS_QUERY` selects from the simulator's master, asked the way an operator checks
 * a query before starting: `tickflow instruments --query … --limit 0 --json`, its own process.
 */
export const countSelection = async (apiUrl: string, wsUrl: string, query: string): Promise<Selection> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-bench-instruments-'));
  try {
    const child = spawn(process.execPath, [MAIN, 'instruments', '--query', query, '--limit', '0', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...demoLoginEnv(apiUrl),
        MSTOCK_WS_URL: wsUrl,
        DATA_DIR: dataDir,
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`tickflow instruments exited ${String(code)}: ${err}`);
    const decoded = SelectionCodec.decode(JSON.parse(out));
    if (E.isLeft(decoded))
      throw new Error(`tickflow instruments --json printed an unknown shape: ${out.slice(0, 300)}`);
    return decoded.right;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
};
