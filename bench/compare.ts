// Before and after in the same run: one benchmark, on a git revision and on this checkout, in
// alternating order, so both meet the same machine load. `npm run bench` answers "how fast";
// this answers "did a change make it slower".
//   node bench/compare.ts --base 84f1489 --bench decode [--rounds 2]
//   node bench/compare.ts --base HEAD~3 --bench e2e --args "--seconds 20 --find-max 0"
// Each figure is printed as its benchmark prints it, with `rev` ("base" or "head") and `round`
// added; then one `compare` line per case with the median of each side and head/base.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './support/bench-args.ts';
import { emit, machineLoad, note, round, type BenchLine } from './support/bench-output.ts';
import { median } from './support/stats.ts';

const USAGE =
  'node bench/compare.ts --base <git revision> --bench decode|e2e [--rounds 2] [--args "<bench options>"]';

/** The benchmarks worth comparing, and the figure of each that says "faster" (higher is better). */
const FIGURES: Readonly<Record<string, { readonly file: string; readonly figure: string }>> = {
  decode: { file: 'decode.ts', figure: 'packetsPerSecond' },
  e2e: { file: 'end-to-end.ts', figure: 'acceptedPerSecond' },
};

const opts = parseOptions(process.argv.slice(2), { base: '', bench: 'decode', rounds: 2, args: '' }, USAGE);
const chosen = FIGURES[opts.bench];
if (opts.base === '' || chosen === undefined) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const here = fileURLToPath(new URL('..', import.meta.url));
const baseDir = mkdtempSync(join(tmpdir(), 'tickflow-compare-'));

/** The base revision as a detached worktree sharing this checkout's node_modules. */
const checkOutBase = (): void => {
  execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', baseDir, opts.base], { stdio: 'ignore' });
  symlinkSync(join(here, 'node_modules'), join(baseDir, 'node_modules'));
};

const removeBase = (): void => {
  spawnSync('git', ['-C', here, 'worktree', 'remove', '--force', baseDir], { stdio: 'ignore' });
  if (existsSync(baseDir)) rmSync(baseDir, { recursive: true, force: true });
};

/** One run of the benchmark in `dir`: its figures, each tagged with the side and the round. */
const runOnce = (dir: string, rev: 'base' | 'head', roundNo: number): BenchLine[] => {
  note(`${opts.bench} on ${rev}, round ${roundNo}`);
  const extra = opts.args.split(' ').filter((a) => a !== '');
  const out = spawnSync(process.execPath, [join(dir, 'bench', chosen.file), ...extra], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`${chosen.file} on ${rev} exited with ${String(out.status)}`);
  return out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => ({ ...(JSON.parse(l) as BenchLine), rev, round: roundNo }));
};

const lines: BenchLine[] = [];
try {
  checkOutBase();
  for (let r = 1; r <= opts.rounds; r += 1) {
    // Alternate which side goes first: a load that rises or falls during the run hits both alike.
    const order: ('base' | 'head')[] = r % 2 === 1 ? ['base', 'head'] : ['head', 'base'];
    for (const rev of order) {
      for (const line of runOnce(rev === 'base' ? baseDir : here, rev, r)) {
        emit(line);
        lines.push(line);
      }
    }
  }
} finally {
  removeBase();
}

const figureOf = (l: BenchLine): number | undefined => {
  const v = l[chosen.figure];
  return typeof v === 'number' ? v : undefined;
};
// A case may be measured for several implementations (decode: tickflow and the official SDK).
const keyOf = (l: BenchLine): string => (typeof l['impl'] === 'string' ? `${l.case}/${l['impl']}` : l.case);
for (const name of [...new Set(lines.map(keyOf))]) {
  const side = (rev: string): number[] =>
    lines
      .filter((l) => keyOf(l) === name && l['rev'] === rev)
      .map(figureOf)
      .filter((v): v is number => v !== undefined);
  const base = side('base');
  const head = side('head');
  if (base.length === 0 || head.length === 0) continue;
  const b = median(base);
  const h = median(head);
  emit({
    bench: 'compare',
    case: `${opts.bench}/${name}`,
    figure: chosen.figure,
    baseRev: opts.base,
    base: round(b),
    head: round(h),
    headOverBase: round(h / b, 3),
    ...machineLoad(),
  });
}
