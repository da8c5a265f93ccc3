import { describe, expect, it } from 'vitest';
import { MemoryCommandBus } from '../../../src/adapters/memory/memory-command-bus.ts';
import { BackfillCoordinator, type RunJob } from '../../../src/app/backfill/backfill-coordinator.ts';
import type { JobOutcome } from '../../../src/app/backfill/backfill-job.ts';
import { coordinatorGapFiller } from '../../../src/app/trust/coordinator-gap-filler.ts';
import type { GapFillOutcome } from '../../../src/app/trust/gap-ledger-writer.ts';
import { planProgress } from '../../../src/domain/backfill-plan-queries.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import { RELIANCE, TCS, ist, makeHarness, nse } from '../backfill/backfill-fixtures.ts';

const gap = (from: string, to: string): FeedGap => ({
  tokens: [TCS, RELIANCE],
  from: ist(from),
  to: ist(to),
  cause: 'silent-instrument',
});

/** Jobs that end as the test says; gap fills run when their scheduled time is fired by hand. */
const setup = () => {
  const h = makeHarness();
  h.clock.set(ist('2026-11-17 10:45:00'));
  const ends: ((status: JobOutcome['status']) => void)[] = [];
  const runJob: RunJob = (target) => {
    const planId = target.kind === 'new' ? target.request.planId : target.planId;
    return new Promise((resolve) => {
      ends.push((status) =>
        resolve(
          status === 'failed'
            ? { status, planId, reason: 'broker down', progress: planProgress({ status: 'idle' }) }
            : { status, planId, progress: planProgress({ status: 'idle' }) },
        ),
      );
    });
  };
  const scheduled: (() => void)[] = [];
  const coordinator = new BackfillCoordinator(
    {
      bus: new MemoryCommandBus(),
      store: h.store,
      runJob,
      session: nse,
      clock: h.clock,
      logger: h.logger,
      metrics: h.metrics,
      schedule: (fn) => {
        scheduled.push(fn);
        return () => undefined;
      },
    },
    { onStart: 'never', defaultDays: 5, defaultTokens: [TCS], defaultInterval: 'minute' },
  );
  return { h, coordinator, ends, scheduled };
};

/** These jobs record no plan, so their coverage is of nothing. */
const nothingPlanned = { expected: 0, received: 0, shortTokens: [] };
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
const track = (p: Promise<GapFillOutcome>) => {
  const box: { outcome?: GapFillOutcome } = {};
  void p.then((o) => (box.outcome = o));
  return box;
};

describe('coordinatorGapFiller', () => {
  it('a gap with no session minute is filled at once, without a coordinator', async () => {
    const fill = coordinatorGapFiller(() => undefined, nse);
    expect(await fill(gap('2026-11-17 20:00:00', '2026-11-17 21:00:00'), 1)).toEqual({
      kind: 'nothing-to-fill',
    });
  });

  it('waits for the coordinator, then for the job: filled when it succeeds', async () => {
    const { h, coordinator, ends, scheduled } = setup();
    await coordinator.start();
    let ready = false;
    const box = track(
      coordinatorGapFiller(
        () => (ready ? coordinator : undefined),
        nse,
        10,
      )(gap('2026-11-17 10:02:30', '2026-11-17 10:31:10'), 1),
    );
    await settle();
    expect(scheduled).toHaveLength(0);
    ready = true;
    await settle();
    expect(scheduled).toHaveLength(1);
    // Looked at before the bars are final, the gap waits on; once they are, it goes.
    scheduled[0]?.();
    await settle();
    expect(scheduled).toHaveLength(2);
    h.clock.set(ist('2026-11-17 16:15:00'));
    scheduled[1]?.();
    await settle();
    expect(box.outcome).toBeUndefined();
    ends[0]?.('succeeded');
    await settle();
    expect(box.outcome).toEqual({ kind: 'backfilled', coverage: nothingPlanned });
  });

  it('a failed job leaves the gap failed (open); a gap queued behind a job hears its own outcome', async () => {
    const { h, coordinator, ends, scheduled } = setup();
    await coordinator.start();
    h.clock.set(ist('2026-11-17 16:15:00'));
    const fill = coordinatorGapFiller(() => coordinator, nse);
    const first = track(fill(gap('2026-11-17 10:02:30', '2026-11-17 10:31:10'), 1));
    const second = track(fill(gap('2026-11-17 11:00:00', '2026-11-17 11:05:00'), 1));
    scheduled[0]?.();
    await settle();
    scheduled[1]?.();
    await settle();
    ends[0]?.('failed');
    await settle();
    expect(first.outcome).toEqual({ kind: 'failed', reason: expect.stringContaining('failed') as unknown });
    expect(second.outcome).toBeUndefined();
    ends[1]?.('succeeded');
    await settle();
    expect(second.outcome).toEqual({ kind: 'backfilled', coverage: nothingPlanned });
  });
});
