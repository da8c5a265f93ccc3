import { describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../../src/adapters/memory/memory-event-log.ts';
import { BackfillLogEventC } from '../../../src/ports/event-log/streams/plan-event-codec.ts';
import { choosePlan, resolveRequest } from '../../../src/app/backfill/plan-request.ts';
import { PlanStore } from '../../../src/app/backfill/plan-store.ts';
import { backfillPlan, isRefused } from '../../../src/domain/backfill-plan.ts';
import type { PlanState } from '../../../src/domain/backfill-plan-types.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { NIFTY, RELIANCE, SATURDAY, TCS, nse } from './backfill-fixtures.ts';

const days = (n: number) => ({ kind: 'days' as const, days: n });

describe('resolveRequest', () => {
  it('derives the same plan id for the same tokens, days and interval, in any token order', () => {
    const a = resolveRequest(
      { tokens: [TCS, NIFTY, RELIANCE, TCS], interval: 'minute', span: days(5) },
      nse,
      SATURDAY,
    );
    const b = resolveRequest(
      { tokens: [RELIANCE, TCS, NIFTY], interval: 'minute', span: days(5) },
      nse,
      epochMs(SATURDAY + 3_600_000),
    );
    expect(a.planId).toBe(b.planId);
    expect(a.planId).toMatch(/^minute-2026-11-16_2026-11-20-3t-[0-9a-f]{12}$/);
    expect(a.tokens).toEqual([RELIANCE, TCS, NIFTY]);
    expect(a.explicitId).toBe(false);
    const other = [
      resolveRequest({ tokens: [RELIANCE, TCS], interval: 'minute', span: days(5) }, nse, SATURDAY),
      resolveRequest({ tokens: [RELIANCE, TCS, NIFTY], interval: '5minute', span: days(5) }, nse, SATURDAY),
      resolveRequest({ tokens: [RELIANCE, TCS, NIFTY], interval: 'minute', span: days(4) }, nse, SATURDAY),
    ];
    for (const r of other) expect(r.planId).not.toBe(a.planId);
  });

  it('uses a given id as it is', () => {
    expect(
      resolveRequest({ id: 'ops-7', tokens: [TCS], interval: 'minute', span: days(1) }, nse, SATURDAY),
    ).toMatchObject({
      planId: 'ops-7',
      explicitId: true,
    });
  });
});

describe('choosePlan', () => {
  const store = () => new PlanStore(new MemoryEventLog(BackfillLogEventC));
  const request = resolveRequest({ tokens: [TCS], interval: 'minute', span: days(1) }, nse, SATURDAY);

  /** Stores the plan `id` requested, and completed if asked (its one chunk failing for good). */
  const storePlan = async (s: PlanStore, id: typeof request.planId, completed: boolean): Promise<void> => {
    let state: PlanState = backfillPlan.initialState;
    const run = async (command: Parameters<typeof backfillPlan.decide>[0]): Promise<void> => {
      const events = backfillPlan.decide(command, state);
      if (isRefused(events)) throw new Error(events.detail);
      const { version } = await s.load(id);
      await s.append(id, events, version);
      for (const e of events) state = backfillPlan.evolve(state, e);
    };
    await run({
      type: 'RequestBackfill',
      data: { planId: id, tokens: request.tokens, days: request.windows, interval: 'minute', now: SATURDAY },
    });
    const requested = (): PlanState => state;
    const now = requested();
    if (!completed || now.status !== 'running') return;
    const chunkId = now.plan.chunks[0]!.id;
    await run({
      type: 'RecordChunkFailed',
      data: { planId: id, chunkId, reason: 'x', retryable: false, now: SATURDAY },
    });
  };

  it('starts a new plan, resumes an unfinished one, and runs a finished one again only when asked', async () => {
    const s = store();
    expect(await choosePlan(s, request, true)).toEqual({ kind: 'new', planId: request.planId });
    await storePlan(s, request.planId, false);
    expect(await choosePlan(s, request, true)).toEqual({ kind: 'resume', planId: request.planId });

    const done = store();
    await storePlan(done, request.planId, true);
    expect(await choosePlan(done, request, false)).toEqual({ kind: 'finished', planId: request.planId });
    expect(await choosePlan(done, request, true)).toEqual({ kind: 'new', planId: `${request.planId}.r2` });
    await storePlan(done, `${request.planId}.r2` as typeof request.planId, false);
    expect(await choosePlan(done, request, true)).toEqual({ kind: 'resume', planId: `${request.planId}.r2` });
  });

  it('treats a given id as an idempotency key: a finished plan of that id is not run again', async () => {
    const s = store();
    const withId = resolveRequest(
      { id: 'ops-1', tokens: [TCS], interval: 'minute', span: days(1) },
      nse,
      SATURDAY,
    );
    await storePlan(s, withId.planId, true);
    expect(await choosePlan(s, withId, true)).toEqual({ kind: 'finished', planId: 'ops-1' });
  });
});
