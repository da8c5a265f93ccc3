// Decode benchmark: packets per second for each m.Stock packet kind and for realistic frames, on
// one thread, against the official SDK's own parser on the same frames. Usage:
//   node bench/decode.ts [--runs 7] [--run-ms 300] [--case full184] [--impl both|tickflow|sdk]
// (--case and --impl narrow the run, e.g. for a --cpu-prof profile of one parser on one kind).
import { decodeFrame, type DecodeOptions } from '../src/adapters/mstock/binary/decode-frame.ts';
import { TickSequencer } from '../src/domain/tick-sequencer.ts';
import { epochMs } from '../src/domain/units.ts';
import { compareWithSdk, sdkNote } from './decode/compare-sdk.ts';
import { decodeCases, type DecodeCase } from './decode/decode-cases.ts';
import { arrayBufferOf, countingConsole, SdkParser } from './decode/sdk-parser.ts';
import { sinkValue, timeLoop } from './decode/timed-loop.ts';
import { parseOptions } from './support/bench-args.ts';
import { against, emit, note, round } from './support/bench-output.ts';

const USAGE = 'node bench/decode.ts [--runs 7] [--run-ms 300] [--case full184] [--impl both|tickflow|sdk]';
/** Issue 8: ≥ 5 million full (184-byte) packets per second on one core, and faster than the SDK. */
const FULL184_TARGET = 5_000_000;
/** As the live feed decodes: every tick stamped with its exchange, found once per token. */
const OPTIONS: DecodeOptions = { tickTimeZone: 'ist', priceDivisor: 100, exchangeOf: () => 'NSE' };
const RECEIVED_AT = epochMs(Date.parse('2025-11-20T11:00:00+05:30'));

const runDecode = (c: DecodeCase, runs: number, runMs: number): number => {
  const sequencer = new TickSequencer();
  const frames = c.frames;
  const mask = frames.length - 1;
  const timing = timeLoop(
    (iterations) => {
      let ticks = 0;
      for (let i = 0; i < iterations; i++) {
        ticks += decodeFrame(frames[i & mask] ?? new Uint8Array(0), RECEIVED_AT, sequencer, OPTIONS).ticks
          .length;
      }
      return ticks;
    },
    runs,
    runMs,
  );
  return timing.medianFramesPerSecond * c.packetsPerFrame;
};

const runSdk = (c: DecodeCase, runs: number, runMs: number): number => {
  const parser = new SdkParser();
  const buffers = c.frames.map(arrayBufferOf);
  const mask = buffers.length - 1;
  const { result } = countingConsole(() =>
    timeLoop(
      (iterations) => {
        const before = parser.ticks;
        for (let i = 0; i < iterations; i++) parser.parse(buffers[i & mask] ?? new ArrayBuffer(0));
        return parser.ticks - before;
      },
      runs,
      runMs,
    ),
  );
  // Packets offered per second, read or not: the same measure as tickflow's.
  return result.medianFramesPerSecond * c.packetsPerFrame;
};

const readingOf = (c: DecodeCase): ReturnType<typeof compareWithSdk> => {
  const frame = c.frames[0] ?? new Uint8Array(0);
  const ours = decodeFrame(frame, RECEIVED_AT, new TickSequencer(), OPTIONS);
  if (ours.malformed.length > 0 || ours.ticks.length !== c.packetsPerFrame)
    throw new Error(`${c.name}: tickflow read ${ours.ticks.length} of ${c.packetsPerFrame} packets`);
  const parser = new SdkParser();
  parser.collected = [];
  const { counts } = countingConsole(() => {
    parser.parse(arrayBufferOf(frame));
  });
  return compareWithSdk(ours.ticks, parser.collected, c.packetsPerFrame, counts);
};

export const runDecodeBench = async (argv: readonly string[]): Promise<void> => {
  const opts = parseOptions(argv, { runs: 7, 'run-ms': 300, case: '', impl: 'both' }, USAGE);
  const withOurs = opts.impl !== 'sdk';
  const withSdk = opts.impl !== 'tickflow';
  const cases = await decodeCases();
  note(`decode: ${cases.length} cases, ${opts.runs} runs of ~${opts['run-ms']} ms each, median reported`);
  for (const c of cases.filter((k) => opts.case === '' || k.name === opts.case)) {
    const reading = readingOf(c);
    const ours = withOurs ? runDecode(c, opts.runs, opts['run-ms']) : Number.NaN;
    if (withOurs)
      emit({
        bench: 'decode',
        case: c.name,
        impl: 'tickflow',
        packetsPerFrame: c.packetsPerFrame,
        packetsPerSecond: Math.round(ours),
        ...(c.name === 'full184' ? against(ours, FULL184_TARGET, 'atLeast') : {}),
      });
    if (!withSdk) continue;
    const unreadable = reading.ticksRead === 0;
    const sdk = unreadable ? Number.NaN : runSdk(c, opts.runs, opts['run-ms']);
    const why = sdkNote(reading);
    emit({
      bench: 'decode',
      case: c.name,
      impl: 'sdk',
      packetsPerFrame: c.packetsPerFrame,
      packetsPerSecond: unreadable ? null : Math.round(sdk),
      ticksReadPerFrame: reading.ticksRead,
      ...(why === undefined ? {} : { note: why }),
    });
    if (!withOurs) continue;
    // Faster than the SDK on every kind; a kind the SDK cannot read at all counts as met.
    const ratio = unreadable ? null : round(ours / sdk);
    emit({
      bench: 'decode',
      case: c.name,
      figure: 'ratioToSdk',
      ratio,
      target: 1,
      met: ratio === null || ratio > 1,
      ...(unreadable ? { note: 'the SDK cannot read this packet kind' } : {}),
    });
  }
  // Printing the loops' checksum keeps their results observable, so no run can be optimised away.
  note(`decode: done (checksum ${sinkValue()})`);
};

if (import.meta.main) await runDecodeBench(process.argv.slice(2));
