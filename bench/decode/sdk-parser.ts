import { MTicker, type FeedData } from '@mstock-mirae-asset/nodetradingapi-typea';

/**
 * The official m.Stock SDK's own frame parser (`MTicker.parseBinaryMessage`), driven without a
 * socket: the benchmark hands it each frame as the SDK's WebSocket would (an ArrayBuffer of the
 * frame) and counts what it emits through `onBroadcastReceived`. The SDK is a development
 * dependency, loaded by the benchmark only.
 */
export class SdkParser {
  readonly #parse: (frame: ArrayBuffer) => void;
  ticks = 0;
  last: FeedData | undefined;
  collected: FeedData[] | undefined;

  constructor() {
    // No connection is made: the constructor only stores the settings.
    const ticker = new MTicker({ api_key: 'bench', access_token: 'bench', baseUrl: 'ws://127.0.0.1:9' });
    // The frame parser the SDK's socket handler calls; private in its typings, so looked up here.
    const parse: unknown = Reflect.get(ticker, 'parseBinaryMessage');
    if (typeof parse !== 'function') throw new Error('the m.Stock SDK has no parseBinaryMessage any more');
    this.#parse = (frame) => {
      Reflect.apply(parse, ticker, [frame]);
    };
    ticker.onBroadcastReceived = (tick) => {
      this.ticks += 1;
      this.last = tick;
      this.collected?.push(tick);
    };
  }

  /** One frame, exactly as the SDK's socket handler parses it. */
  parse(frame: ArrayBuffer): void {
    this.#parse(frame);
  }
}

export interface ConsoleCounts {
  readonly warnings: number;
  readonly errors: number;
  /** The first distinct messages, for the report. */
  readonly messages: readonly string[];
}

const firstLine = (args: readonly unknown[]): string =>
  args
    .map((a) => (a instanceof Error ? a.message : String(a)))
    .join(' ')
    .split('\n')[0] ?? '';

/**
 * Runs `body` with console.warn and console.error counted instead of printed: the SDK logs each
 * packet it cannot read, and the report says how many there were rather than flooding stderr.
 */
export const countingConsole = <A>(body: () => A): { readonly result: A; readonly counts: ConsoleCounts } => {
  const { warn, error } = console;
  let warnings = 0;
  let errors = 0;
  const messages = new Set<string>();
  const keep = (args: readonly unknown[]): void => {
    if (messages.size < 4) messages.add(firstLine(args));
  };
  console.warn = (...args: unknown[]) => {
    warnings += 1;
    keep(args);
  };
  console.error = (...args: unknown[]) => {
    errors += 1;
    keep(args);
  };
  try {
    const result = body();
    return { result, counts: { warnings, errors, messages: [...messages] } };
  } finally {
    console.warn = warn;
    console.error = error;
  }
};

/** A frame as the SDK's socket delivers it: an ArrayBuffer holding exactly the frame's bytes. */
export const arrayBufferOf = (frame: Uint8Array): ArrayBuffer => {
  const copy = new ArrayBuffer(frame.byteLength);
  new Uint8Array(copy).set(frame);
  return copy;
};
