// Prints the functions that took the most CPU in a V8 profile (`node --cpu-prof`), by self time,
// as JSON lines. Usage: node bench/profile-summary.ts <file.cpuprofile> [--top 15] [--label text]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { parseOptions } from './support/bench-args.ts';
import { emit } from './support/bench-output.ts';

const CpuProfile = t.type({
  nodes: t.array(
    t.type({
      id: t.number,
      callFrame: t.type({ functionName: t.string, url: t.string, lineNumber: t.number }),
    }),
  ),
  samples: t.array(t.number),
  timeDeltas: t.array(t.number),
});

export interface HotFunction {
  readonly fn: string;
  readonly where: string;
  readonly selfPercent: number;
}

const placeOf = (url: string, line: number): string => {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const shown = path.includes('/node_modules/')
    ? path.slice(path.lastIndexOf('/node_modules/') + 14)
    : relative(process.cwd(), path);
  return `${shown}:${line + 1}`;
};

/** Self time per function (all nodes of one function summed), highest first, as percentages. */
export const hotFunctions = (text: string, top: number): HotFunction[] => {
  const decoded = CpuProfile.decode(JSON.parse(text));
  if (E.isLeft(decoded)) throw new Error('not a V8 CPU profile');
  const profile = decoded.right;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byNode.get(id);
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName === '' ? '(anonymous)' : functionName;
    const where = placeOf(url, lineNumber);
    const key = `${fn}@${where}`;
    const entry = self.get(key) ?? { fn, where, us: 0 };
    entry.us += dt;
    self.set(key, entry);
    total += dt;
  });
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({
      fn: e.fn,
      where: e.where,
      selfPercent: Math.round((1000 * e.us) / Math.max(total, 1)) / 10,
    }));
};

if (import.meta.main) {
  const [file, ...rest] = process.argv.slice(2);
  if (file === undefined)
    throw new Error('usage: node bench/profile-summary.ts <file.cpuprofile> [--top 15]');
  const opts = parseOptions(
    rest,
    { top: 15, label: '' },
    'node bench/profile-summary.ts <file> [--top 15] [--label x]',
  );
  for (const h of hotFunctions(readFileSync(file, 'utf8'), opts.top))
    emit({ bench: 'profile', case: opts.label === '' ? file : opts.label, ...h });
}
