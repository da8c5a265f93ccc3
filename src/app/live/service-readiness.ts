import type { MarketSession } from '../../domain/market-session.ts';
import type { Clock } from '../../ports/clock.ts';
import type { FeedFreshness } from '../trust/freshness-monitor.ts';

/** What `/readyz` answers: ready or not, and one line per check (its body). */
export interface ServiceReadiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/**
 * Ready when the feed is connected and not mute, or the market is closed (silence is then normal),
 * every extra check holds and no `notReadyBy` check names what it waits for (the cluster:
 * `joining`); degraded (still ready) when a `degradedBy` check names a problem.
 */
export const serviceReadiness = (
  deps: {
    readonly session: MarketSession;
    readonly clock: Clock;
    readonly extraReadiness?: () => Readonly<Record<string, boolean>>;
    readonly degradedBy?: () => Readonly<Record<string, string | undefined>>;
    readonly notReadyBy?: () => Readonly<Record<string, string | undefined>>;
  },
  connected: boolean,
  freshness: FeedFreshness | undefined,
): ServiceReadiness => {
  const marketOpen = deps.session.isOpen(deps.clock.now());
  // Connected but saying nothing in the session: the feed adapter replaces such a socket.
  const mute = connected && freshness === 'mute';
  const feedOk = (connected && !mute) || !marketOpen;
  const extra = deps.extraReadiness?.() ?? {};
  const checks: Record<string, string> = {
    feed: mute ? 'mute' : connected ? 'connected' : marketOpen ? 'disconnected' : 'market closed',
  };
  let ready = feedOk;
  for (const [name, ok] of Object.entries(extra)) {
    checks[name] = ok ? 'ready' : 'not ready';
    ready &&= ok;
  }
  for (const [name, problem] of Object.entries(deps.notReadyBy?.() ?? {})) {
    checks[name] = problem ?? 'ready';
    ready &&= problem === undefined;
  }
  let degraded = false;
  for (const [name, problem] of Object.entries(deps.degradedBy?.() ?? {})) {
    checks[name] = problem ?? 'ok';
    degraded ||= problem !== undefined;
  }
  checks['status'] = !ready ? 'not ready' : degraded ? 'degraded' : 'ready';
  return { ready, checks };
};
