// Every benchmark, one after the other, each in its own process: `npm run bench`.
// Figures are JSON lines on stdout (one per figure); progress goes to stderr.
//   npm run bench                          the full run (about 35 minutes on 2 cores)
//   npm run bench -- --quick 1             short durations, to check the benchmarks work
//   npm run bench -- --only decode,backfill
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './support/bench-args.ts';
import { emit, note, round } from './support/bench-output.ts';

const USAGE = 'node bench/run-all.ts [--quick 0|1] [--only decode,e2e,memory,backfill,market]';

const BENCHES: Readonly<Record<string, { readonly file: string; readonly quick: readonly string[] }>> = {
  decode: { file: 'decode.ts', quick: ['--runs', '3', '--run-ms', '150'] },
  e2e: {
    file: 'end-to-end.ts',
    quick: ['--seconds', '10', '--probe-seconds', '8', '--sustain-seconds', '15', '--max-rate', '60000'],
  },
  memory: { file: 'memory.ts', quick: ['--minutes', '1', '--outage-seconds', '20', '--drain-seconds', '60'] },
  backfill: { file: 'backfill.ts', quick: ['--days', '1'] },
  market: { file: 'market.ts', quick: ['--seconds', '15', '--warmup-seconds', '5'] },
};

const machine = (when: string): void => {
  const [one, five] = loadavg();
  emit({
    bench: 'env',
    case: when,
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    // Other work on the machine (other helpers, CI) shows here: the figures share these cores.
    loadAverage1m: round(one ?? 0),
    loadAverage5m: round(five ?? 0),
  });
};

const opts = parseOptions(process.argv.slice(2), { quick: 0, only: Object.keys(BENCHES).join(',') }, USAGE);
const chosen = opts.only.split(',').map((s) => s.trim());
const unknown = chosen.filter((name) => !(name in BENCHES));
if (unknown.length > 0) throw new Error(`--only: unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
machine('start');
let failed = 0;
for (const name of chosen) {
  const bench = BENCHES[name];
  if (bench === undefined) continue;
  const script = fileURLToPath(new URL(bench.file, import.meta.url));
  note(`${name}: node bench/${bench.file} ${opts.quick > 0 ? bench.quick.join(' ') : ''}`);
  const run = spawnSync(process.execPath, [script, ...(opts.quick > 0 ? bench.quick : [])], {
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    failed += 1;
    emit({ bench: name, case: 'failed', status: run.status ?? -1, signal: run.signal ?? '' });
  }
}
machine('end');
process.exitCode = failed > 0 ? 1 : 0;
