import type { ExpiryRoll } from './sim-universe.ts';
import type { ActiveFaults, HistoricalFaultAnswer, MalformedFrameKind } from './fault-state.ts';

/** What `dropConnection` did: closed 0 or 1 socket, or found no connection with that id. */
export type DropConnectionResult =
  | { readonly kind: 'dropped'; readonly count: 0 | 1 }
  | { readonly kind: 'unknown-connection'; readonly id: string };

/**
 * Faults on demand, for tests and for `POST /sim/faults`. Counts are "the next N"; durations are
 * wall-clock ms (undefined = until `resume` / `clear`).
 */
export interface SimulatorFaults {
  /** Closes every feed connection abruptly (no close frame); returns how many. */
  dropConnections(): number;
  /**
   * Closes the one feed connection with this `/sim/stats` `connections[].id`, abruptly like
   * `dropConnections`. Returns 1, or 0 when it is already closed; `unknown` when no connection the
   * stats keep has that id.
   */
  dropConnection(id: string): DropConnectionResult;
  /** Sends nothing at all (no frames, no heartbeats) without closing, for `ms` or until `resume`. */
  goSilent(ms?: number): void;
  /** Sends no tick but keeps the heartbeats going (alive and mute), for `ms` or until `resume`. */
  muteTicks(ms?: number): void;
  /**
   * The open connection with this `/sim/stats` id gets heartbeats but no tick, for `ms` or until
   * `resume`, while the others tick on. False when no open connection has that id.
   */
  muteConnection(id: string, ms?: number): boolean;
  /** Ends `goSilent`, `muteTicks` and `muteConnection`. */
  resume(): void;
  /** Refuses the next `count` WebSocket handshakes with the handshake-refusal status. */
  refuseHandshakes(count: number): void;
  /** Sends `count` broken frames of `kind` to every logged-in client now; returns frames sent. */
  sendMalformedFrames(kind: MalformedFrameKind, count?: number): number;
  /** Answers the next `count` historical/intraday calls with a 429, an HTML 502, or an expired token. */
  failHistorical(answer: HistoricalFaultAnswer, count: number): void;
  /** Expires every session now; with `closeFeeds`, also closes their feed connections. Returns sessions expired. */
  expireSessions(options?: { readonly closeFeeds?: boolean }): number;
  /** (issue 9) Sends nothing for one token, for `ms` or until `clear`. */
  silenceToken(token: number, ms?: number): void;
  /** (issue 9) Drops this share (0..1) of one token's packets, per client, at random; 0 ends it. */
  dropTokenPackets(token: number, share: number): void;
  /** (issue 9) The next `count` ticks of the token carry a price 5% above its upper circuit. */
  emitOutOfBand(token: number, count?: number): void;
  /**
   * (issue 9) The next `count` historical/intraday replies that hold at least one bar leave out
   * their last bar, as a broker answering before all its bars are in. Replies without bars do not
   * count.
   */
  shortCandles(count: number): void;
  /**
   * (--universe large) A new expiry without a restart: the nearest expiry's contracts leave the
   * master and stop being quoted; a later expiry's are listed. Undefined in the nifty50 universe.
   */
  rollExpiry(): ExpiryRoll | undefined;
  /** Ends every fault. */
  clear(): void;
  active(): ActiveFaults;
}
