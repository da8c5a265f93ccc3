import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import type { ExpiryRoll } from './sim-universe.ts';
import type { SimulatorFaults } from './simulator-faults.ts';

const Count = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInteger');
const Ms = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'Milliseconds');
const Token = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0 && n <= 0x7fffffff, 'Token');
const Share = t.refinement(t.number, (n) => n >= 0 && n <= 1, 'Share');
const MalformedKind = t.keyof({
  'unknown-length': null,
  'zero-length': null,
  'count-too-high': null,
  'length-past-end': null,
  truncated: null,
});
const HistoricalAnswer = t.keyof({ 'rate-limit': null, 'bad-gateway': null, 'expired-token': null });

const ConnectionId = t.refinement(t.string, (s) => s.length > 0, 'ConnectionId');

const withOptional = <R extends t.Props, O extends t.Props>(required: R, optional: O) =>
  t.intersection([t.type(required), t.partial(optional)]);

/** The body of `POST /sim/faults`: one fault, named by `fault`. */
export const FaultRequest = t.union([
  t.type({ fault: t.literal('drop-connections') }),
  t.type({ fault: t.literal('drop-connection'), connection: ConnectionId }),
  withOptional({ fault: t.literal('mute-connection'), connection: ConnectionId }, { ms: Ms }),
  withOptional({ fault: t.literal('silence') }, { ms: Ms }),
  withOptional({ fault: t.literal('mute-ticks') }, { ms: Ms }),
  t.type({ fault: t.literal('resume') }),
  t.type({ fault: t.literal('refuse-handshakes'), count: Count }),
  withOptional({ fault: t.literal('malformed-frames'), kind: MalformedKind }, { count: Count }),
  t.type({ fault: t.literal('historical'), answer: HistoricalAnswer, count: Count }),
  withOptional({ fault: t.literal('expire-sessions') }, { closeFeeds: t.boolean }),
  withOptional({ fault: t.literal('silence-token'), token: Token }, { ms: Ms }),
  t.type({ fault: t.literal('drop-token-packets'), token: Token, share: Share }),
  withOptional({ fault: t.literal('out-of-band'), token: Token }, { count: Count }),
  t.type({ fault: t.literal('short-candles'), count: Count }),
  t.type({ fault: t.literal('roll-expiry') }),
  t.type({ fault: t.literal('clear') }),
]);
export type FaultRequest = t.TypeOf<typeof FaultRequest>;

export interface FaultRequestError {
  readonly kind: 'FaultRequestError';
  readonly message: string;
}

export const decodeFaultRequest = (body: unknown): E.Either<FaultRequestError, FaultRequest> =>
  E.mapLeft(() => ({
    kind: 'FaultRequestError' as const,
    message:
      'expected {"fault": "drop-connections" | "drop-connection" | "mute-connection" | "silence" | "mute-ticks" | "resume" | "refuse-handshakes" | "malformed-frames" | ' +
      '"historical" | "expire-sessions" | "silence-token" | "drop-token-packets" | "out-of-band" | ' +
      '"short-candles" | "roll-expiry" | "clear", ...}',
  }))(FaultRequest.decode(body));

/**
 * Applies a decoded request; returns what the call returned (a count), or null; refused when it
 * names something that does not exist (a connection id).
 */
export const applyFaultRequest = (
  faults: SimulatorFaults,
  r: FaultRequest,
): E.Either<FaultRequestError, number | ExpiryRoll | null> => {
  if (r.fault === 'roll-expiry') {
    const roll = faults.rollExpiry();
    return roll === undefined
      ? E.left({
          kind: 'FaultRequestError',
          message: 'roll-expiry needs the large universe (--universe large)',
        })
      : E.right(roll);
  }
  if (r.fault === 'drop-connection') {
    const dropped = faults.dropConnection(r.connection);
    return dropped.kind === 'dropped'
      ? E.right(dropped.count)
      : E.left({
          kind: 'FaultRequestError',
          message: `no connection with id ${JSON.stringify(dropped.id)} (see /sim/stats connections[].id)`,
        });
  }
  if (r.fault === 'mute-connection')
    return faults.muteConnection(r.connection, r.ms)
      ? E.right(1)
      : E.left({
          kind: 'FaultRequestError',
          message: `no open connection with id ${JSON.stringify(r.connection)} (see /sim/stats connections[].id)`,
        });
  return E.right(applyFault(faults, r));
};

const applyFault = (
  faults: SimulatorFaults,
  r: Exclude<FaultRequest, { fault: 'drop-connection' | 'mute-connection' | 'roll-expiry' }>,
): number | null => {
  switch (r.fault) {
    case 'drop-connections':
      return faults.dropConnections();
    case 'silence':
      faults.goSilent(r.ms);
      return null;
    case 'mute-ticks':
      faults.muteTicks(r.ms);
      return null;
    case 'resume':
      faults.resume();
      return null;
    case 'refuse-handshakes':
      faults.refuseHandshakes(r.count);
      return null;
    case 'malformed-frames':
      return faults.sendMalformedFrames(r.kind, r.count);
    case 'historical':
      faults.failHistorical(r.answer, r.count);
      return null;
    case 'expire-sessions':
      return faults.expireSessions(r.closeFeeds === undefined ? {} : { closeFeeds: r.closeFeeds });
    case 'silence-token':
      faults.silenceToken(r.token, r.ms);
      return null;
    case 'drop-token-packets':
      faults.dropTokenPackets(r.token, r.share);
      return null;
    case 'out-of-band':
      faults.emitOutOfBand(r.token, r.count);
      return null;
    case 'short-candles':
      faults.shortCandles(r.count);
      return null;
    case 'clear':
      faults.clear();
      return null;
  }
};
