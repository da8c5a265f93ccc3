import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { integerFlag, parseArgs } from '../../../src/app/root/cli/flags.ts';
import { parseBackfillArgs } from '../../../src/app/root/cli/backfill-command.ts';
import { parseRecordArgs } from '../../../src/app/root/cli/record-command.ts';
import { parseReplayArgs } from '../../../src/app/root/cli/replay-command.ts';

const declared = { values: ['--out', '--duration'], switches: ['--dry'] } as const;

describe('the command-line flag parser', () => {
  it('reads declared flags as `--name value`, `--name=value` and switches', () => {
    const r = parseArgs(['--out', 'dir', '--duration=5', '--dry'], declared);
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(r.right.values).toEqual({ '--out': 'dir', '--duration': '5' });
    expect([...r.right.switches]).toEqual(['--dry']);
    expect(r.right.positionals).toEqual([]);
  });

  it('refuses an undeclared flag, naming it', () => {
    expect(parseArgs(['--check-confg'], { switches: ['--check-config'] })).toEqual(
      E.left(['unknown option --check-confg']),
    );
    expect(parseArgs(['-x'], declared)).toEqual(E.left(['unknown option -x']));
    expect(parseArgs(['--bogus=1'], declared)).toEqual(E.left(['unknown option --bogus']));
  });

  it('refuses a flag without its value: at the end, before another flag, or empty', () => {
    expect(parseArgs(['--duration'], declared)).toEqual(E.left(['--duration needs a value']));
    expect(parseArgs(['--out', '--dry'], declared)).toEqual(E.left(['--out needs a value']));
    expect(parseArgs(['--out='], declared)).toEqual(E.left(['--out needs a value']));
  });

  it('refuses a value given to a switch, and bare words unless declared', () => {
    expect(parseArgs(['--dry=yes'], declared)).toEqual(E.left(['--dry takes no value']));
    expect(parseArgs(['file'], declared)).toEqual(E.left(['unexpected argument "file"']));
    const r = parseArgs(['a', '--out', 'o', '--', '--not-a-flag'], { ...declared, positionals: true });
    expect(E.isRight(r) && r.right.positionals).toEqual(['a', '--not-a-flag']);
  });

  it('reports every problem at once, one line each', () => {
    expect(parseArgs(['--a', '--dry=1', '--out'], declared)).toEqual(
      E.left(['unknown option --a', '--dry takes no value', '--out needs a value']),
    );
  });

  it('checks integers: bounds, positive whole numbers, in the one error form', () => {
    expect(integerFlag('--days', '7', { min: 1, max: 60 })).toEqual(E.right(7));
    expect(integerFlag('--days', undefined, { min: 1, max: 60 })).toEqual(E.right(undefined));
    expect(integerFlag('--days', '0', { min: 1, max: 60 })).toEqual(
      E.left('--days: expected an integer from 1 to 60 (got "0")'),
    );
    expect(integerFlag('--duration', '1.5', { min: 1 })).toEqual(
      E.left('--duration: expected a whole number of 1 or more (got "1.5")'),
    );
    expect(integerFlag('--duration', '-3', { min: 1 })).toMatchObject({ _tag: 'Left' });
  });
});

describe("each command's own flags go through it", () => {
  it('record', () => {
    expect(parseRecordArgs(['--out', 'd', '--duration', '3', '--no-gzip'])).toEqual(
      E.right({ out: 'd', durationSeconds: 3, gzip: false }),
    );
    expect(parseRecordArgs(['--duration'])).toEqual(E.left(['--duration needs a value']));
    expect(parseRecordArgs(['--gzip'])).toEqual(E.left(['unknown option --gzip']));
  });

  it('backfill', () => {
    expect(parseBackfillArgs(['--days=2', '--tokens', '26000,2885', '--id', 'run-1'])).toEqual(
      E.right({ days: 2, tokens: ['26000', '2885'], id: 'run-1' }),
    );
    expect(parseBackfillArgs(['--days', '0', '--interval', 'week'])).toEqual(
      E.left([
        '--days: expected an integer from 1 to 60 (got "0")',
        expect.stringMatching(/^--interval: expected one of minute\|.* \(got "week"\)$/),
      ]),
    );
    expect(parseBackfillArgs(['--frobnicate', '--days', '99'])).toEqual(
      E.left(['unknown option --frobnicate', '--days: expected an integer from 1 to 60 (got "99")']),
    );
  });

  it('replay', () => {
    expect(parseReplayArgs(['f.tfrec', '--sink', 'stdout', '--bogus', '--speed'])).toEqual(
      E.left('unknown option --bogus\n--speed needs a value'),
    );
  });
});
