import { createHash } from 'node:crypto';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { BackfillRequest } from './plan-request.ts';

/**
 * The instruments a cluster member owns (CLUSTER_GROUP): its start-up and START_BACKFILL backfills
 * cover only these, so the members together ask the broker for each instrument once.
 */
export interface OwnedInstruments {
  /** The instruments of the shards owned now; waits for the member's first assignment. */
  owned(): Promise<readonly InstrumentToken[]>;
}

/**
 * A request narrowed to the instruments owned, or undefined when none of its instruments is owned.
 * A derived plan id already differs per instrument set; a given id (an idempotency key every member
 * hears) gets the set's mark, so two members never write one plan, and the same member with the
 * same shards finds its plan again after a restart.
 */
export const narrowToOwned = (
  request: BackfillRequest,
  owned: readonly InstrumentToken[],
): BackfillRequest | undefined => {
  const mine = new Set(owned);
  const tokens = [...new Set(request.tokens.filter((t) => mine.has(t)))];
  if (tokens.length === 0) return undefined;
  if (request.id === undefined) return { ...request, tokens };
  const mark = createHash('sha256')
    .update(JSON.stringify([...tokens].sort((a, b) => Number(a) - Number(b))))
    .digest('hex')
    .slice(0, 12);
  return { ...request, id: `${request.id}-${tokens.length}t-${mark}`, tokens };
};
