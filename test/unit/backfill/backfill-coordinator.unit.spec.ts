import { describe, expect, it } from 'vitest';
import { MemoryCommandBus } from '../../../src/adapters/memory/memory-command-bus.ts';
import type { CommandBus, CommandBusConnection } from '../../../src/ports/command-bus/command-bus.ts';
import type { BackfillCoordinator, GapFillResult } from '../../../src/app/backfill/backfill-coordinator.ts';
import { rupees } from '../../../src/domain/units.ts';
import {
  COORDINATOR_SETTINGS,
  NIFTY,
  RELIANCE,
  coordinatorOf,
  TCS,
  heldJobs,
  ist,
  loadMinuteBars,
  makeHarness,
  realJobs,
} from './backfill-fixtures.ts';

const SETTINGS = COORDINATOR_SETTINGS;

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** A bus whose server cannot be reached until `reachable` is set, as Redis down at start. */
class UnreachableBus implements CommandBus {
  readonly inner = new MemoryCommandBus();
  reachable = false;
  tries = 0;
  subscribe(onMessage: Parameters<CommandBus['subscribe']>[0]) {
    this.tries += 1;
    return this.reachable
      ? this.inner.subscribe(onMessage)
      : Promise.reject(new Error('Redis at 127.0.0.1:1/0 not ready within 10 ms: connect ECONNREFUSED'));
  }
  publish(command: Parameters<CommandBus['publish']>[0]) {
    return this.inner.publish(command);
  }
  connection(): CommandBusConnection {
    return this.reachable ? { connected: true } : { connected: false, reason: 'connect ECONNREFUSED' };
  }
  close() {
    return this.inner.close();
  }
}

const waitUntil = async (what: string, check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle();
  }
};

describe('BackfillCoordinator at start', () => {
  it('auto: backfills the configured tokens for the last 5 trading days when the market is closed', async () => {
    const h = makeHarness();
    const jobs = heldJobs();
    const c = coordinatorOf(h, jobs.runJob);
    await c.start();

    expect(jobs.targets).toHaveLength(1);
    const target = jobs.targets[0]!;
    expect(target.kind).toBe('new');
    if (target.kind !== 'new') return;
    expect(target.request.tokens).toEqual([RELIANCE, TCS, NIFTY].sort((a, b) => Number(a) - Number(b)));
    expect(target.request.interval).toBe('minute');
    expect(target.request.windows.map((w) => w.day)).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
    ]);
    expect(c.current).toBe(target.request.planId);
  });

  it('auto: does nothing while the market is open; always: backfills anyway; never: nothing', async () => {
    const open = ist('2026-11-23 11:00:00');
    for (const [onStart, jobsExpected] of [
      ['auto', 0],
      ['always', 1],
      ['never', 0],
    ] as const) {
      const h = makeHarness();
      h.clock.set(open);
      const jobs = heldJobs();
      await coordinatorOf(h, jobs.runJob, { onStart }).start();
      expect({ onStart, jobs: jobs.targets.length }).toEqual({ onStart, jobs: jobsExpected });
    }
    const h = makeHarness();
    const jobs = heldJobs();
    await coordinatorOf(h, jobs.runJob, { onStart: 'never' }).start();
    expect(jobs.targets).toHaveLength(0);
  });

  it('does not redo a finished backfill on restart, and resumes an unfinished one first', async () => {
    const h = makeHarness();
    loadMinuteBars(h, SETTINGS.defaultTokens);
    const first = coordinatorOf(h, realJobs(h));
    await first.start();
    await first.idle();
    expect(first.outcomes.map((o) => o.status)).toEqual(['succeeded']);
    await first.stop();

    const jobs = heldJobs();
    const second = coordinatorOf(h, jobs.runJob);
    await second.start();
    expect(jobs.targets).toEqual([]);
    expect(h.logger.lines()).toContain('[INFO] Backfill plan already finished; nothing to do');
  });

  it('resumes the plan a stopped service left unfinished', async () => {
    const h = makeHarness();
    loadMinuteBars(h, SETTINGS.defaultTokens);
    const first = coordinatorOf(h, realJobs(h));
    await first.start();
    const planId = first.current!;
    await first.stop();
    expect((await h.store.load(planId)).state.status).toBe('running');

    const jobs = heldJobs();
    await coordinatorOf(h, jobs.runJob).start();
    expect(jobs.targets[0]).toEqual({ kind: 'resume', planId });
  });
});

describe('BackfillCoordinator commands', () => {
  it('runs the start-up backfill while the bus cannot be reached, and takes commands once it can', async () => {
    const h = makeHarness();
    const bus = new UnreachableBus();
    const jobs = heldJobs();
    const c = coordinatorOf(h, jobs.runJob, { onStart: 'always' }, { bus });
    await c.start();

    expect(jobs.targets).toHaveLength(1);
    await waitUntil('a few tries', () => bus.tries >= 3);
    const waiting = h.logger.records.filter(
      (r) => r.message === 'Not listening for commands (START_BACKFILL) yet; retrying',
    );
    expect(waiting.map((r) => r.fields['error'])).toEqual([
      'Redis at 127.0.0.1:1/0 not ready within 10 ms: connect ECONNREFUSED',
    ]);

    bus.reachable = true;
    await waitUntil('the subscription', () =>
      h.logger.records.some((r) => r.message === 'Listening for commands (START_BACKFILL) now'),
    );
    jobs.finish();
    await c.idle();
    await bus.inner.publishRaw('START_BACKFILL');
    await settle();
    expect(jobs.targets).toHaveLength(2);
    expect(h.metrics.value('system_commands_total', { outcome: 'started' })).toBe(1);
    jobs.finish();
    await c.stop();
  });

  it('stops trying to subscribe when stopped', async () => {
    const h = makeHarness();
    const bus = new UnreachableBus();
    const c = coordinatorOf(h, heldJobs().runJob, { onStart: 'never' }, { bus });
    await c.start();
    await c.stop();
    const tries = bus.tries;
    await settle();
    await settle();
    expect(bus.tries).toBe(tries);
  });

  it('starts a job on START_BACKFILL and ignores a second one while it runs, counting both', async () => {
    const h = makeHarness();
    const bus = new MemoryCommandBus();
    const jobs = heldJobs();
    const c = coordinatorOf(h, jobs.runJob, { onStart: 'never' }, { bus });
    await c.start();

    await bus.publishRaw('START_BACKFILL');
    await settle();
    await bus.publishRaw('{"command":"START_BACKFILL","days":2,"tokens":["2885"]}');
    await settle();

    expect(jobs.targets).toHaveLength(1);
    expect(h.metrics.value('system_commands_total', { outcome: 'started' })).toBe(1);
    expect(h.metrics.value('system_commands_total', { outcome: 'busy' })).toBe(1);
    expect(h.logger.lines()).toContain('[WARN] A backfill is already running; request ignored');

    jobs.finish();
    await c.idle();
    await bus.publishRaw('{"command":"START_BACKFILL","days":2,"tokens":["2885"],"interval":"5minute"}');
    await settle();
    expect(jobs.targets).toHaveLength(2);
    const second = jobs.targets[1]!;
    expect(second.kind === 'new' && second.request).toMatchObject({
      tokens: [RELIANCE],
      interval: '5minute',
    });
    expect(second.kind === 'new' && second.request.windows).toHaveLength(2);
  });

  it('hands REFRESH_INSTRUMENTS to the selection, and refuses it without one, starting no backfill', async () => {
    const h = makeHarness();
    const bus = new MemoryCommandBus();
    const jobs = heldJobs();
    let refreshes = 0;
    await coordinatorOf(
      h,
      jobs.runJob,
      { onStart: 'never' },
      { bus, refreshInstruments: () => (refreshes += 1) },
    ).start();
    await bus.publishRaw('REFRESH_INSTRUMENTS');
    await settle();
    expect(refreshes).toBe(1);
    expect(jobs.targets).toHaveLength(0);

    const fixed = makeHarness();
    const fixedBus = new MemoryCommandBus();
    await coordinatorOf(fixed, jobs.runJob, { onStart: 'never' }, { bus: fixedBus }).start();
    await fixedBus.publishRaw('{"command":"REFRESH_INSTRUMENTS"}');
    await settle();
    expect(fixed.metrics.value('system_commands_total', { outcome: 'refused' })).toBe(1);
    expect(fixed.logger.lines()).toContain(
      '[WARN] REFRESH_INSTRUMENTS ignored: this service follows a fixed list (no INSTRUMENTS_QUERY)',
    );
    expect(jobs.targets).toHaveLength(0);
  });

  it('logs and counts a malformed command, and keeps listening', async () => {
    const h = makeHarness();
    const bus = new MemoryCommandBus();
    const jobs = heldJobs();
    await coordinatorOf(h, jobs.runJob, { onStart: 'never' }, { bus }).start();

    await bus.publishRaw('start_backfill');
    await bus.publishRaw('{"command":"START_BACKFILL","days":500}');
    await settle();
    expect(h.metrics.value('system_commands_total', { outcome: 'rejected' })).toBe(2);
    expect(jobs.targets).toHaveLength(0);
    expect(h.logger.records.filter((r) => r.message === 'Ignored a malformed command')).toHaveLength(2);

    await bus.publishRaw('START_BACKFILL');
    await settle();
    expect(jobs.targets).toHaveLength(1);
  });

  it('runs a finished plan again as a new run for an operator, but not for a repeated id', async () => {
    const h = makeHarness();
    loadMinuteBars(h, SETTINGS.defaultTokens);
    const bus = new MemoryCommandBus();
    const c = coordinatorOf(h, realJobs(h), { onStart: 'never' }, { bus });
    await c.start();

    expect(await c.requestCommand({ type: 'StartBackfill' })).toMatchObject({ kind: 'started' });
    await c.idle();
    const again = await c.requestCommand({ type: 'StartBackfill' });
    expect(again.kind === 'started' && again.planId).toMatch(/\.r2$/);
    await c.idle();
    expect(c.outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);

    expect(await c.requestCommand({ type: 'StartBackfill', id: 'ops-1' })).toMatchObject({
      kind: 'started',
      planId: 'ops-1',
    });
    await c.idle();
    expect(await c.requestCommand({ type: 'StartBackfill', id: 'ops-1' })).toEqual({
      kind: 'finished',
      planId: 'ops-1',
    });
    expect(h.metrics.value('system_commands_total', { outcome: 'finished' })).toBe(1);
  });
});

describe('BackfillCoordinator gaps', () => {
  it('backfills a feed gap for its tokens and minutes once the bars are final', async () => {
    const h = makeHarness();
    h.clock.set(ist('2026-11-17 10:45:00'));
    const jobs = heldJobs();
    const scheduled: { fn: () => void; ms: number }[] = [];
    const c = coordinatorOf(
      h,
      jobs.runJob,
      { onStart: 'never' },
      {
        schedule: (fn, ms) => {
          scheduled.push({ fn, ms });
          return () => undefined;
        },
      },
    );
    await c.start();

    c.fillGap({
      tokens: [TCS, RELIANCE],
      from: ist('2026-11-17 10:02:30'),
      to: ist('2026-11-17 10:31:10'),
      cause: 'disconnect',
    });
    expect(scheduled).toHaveLength(1);
    // Bars of the 17th are final at 16:15 IST; the wait looks at the clock again every 5 s.
    expect(scheduled[0]!.ms).toBe(5_000);
    scheduled[0]!.fn();
    expect(scheduled).toHaveLength(2);
    expect(jobs.targets).toHaveLength(0);

    // The clock may jump (a suspended host, a replay): the next look sees the bars final.
    h.clock.set(ist('2026-11-17 16:15:00'));
    scheduled[1]!.fn();
    await settle();
    expect(jobs.targets).toHaveLength(1);
    const t = jobs.targets[0]!;
    expect(t.kind === 'new' && t.request).toMatchObject({
      tokens: [RELIANCE, TCS],
      windows: [{ day: '2026-11-17', open: ist('2026-11-17 10:02:00'), close: ist('2026-11-17 10:32:00') }],
    });
    expect(t.kind === 'new' && t.request.planId).toMatch(/^gap-minute-/);
  });
});

describe('BackfillCoordinator gap coverage', () => {
  const gap = {
    tokens: [TCS, RELIANCE],
    from: ist('2026-11-17 10:02:30'),
    to: ist('2026-11-17 10:04:10'),
    cause: 'silent-instrument',
  } as const;
  const fill = (c: BackfillCoordinator, fetchAgain: boolean): Promise<GapFillResult> =>
    new Promise((resolve) => {
      c.fillGap(gap, resolve, { fetchAgain });
    });
  const minute = (token: typeof TCS, at: string) => {
    const start = ist(at);
    return { token, start, open: rupees(1), high: rupees(1), low: rupees(1), close: rupees(1), volume: 1 };
  };

  it('reports what the backfill brought against the calendar; asked again, it fetches afresh', async () => {
    const h = makeHarness();
    h.clock.set(ist('2026-11-17 16:15:00'));
    // The broker has 10:02, 10:03, 10:04 for RELIANCE but not yet 10:04 for TCS.
    h.historical.add('minute', [
      minute(RELIANCE, '2026-11-17 10:02:00'),
      minute(RELIANCE, '2026-11-17 10:03:00'),
      minute(RELIANCE, '2026-11-17 10:04:00'),
      minute(TCS, '2026-11-17 10:02:00'),
      minute(TCS, '2026-11-17 10:03:00'),
    ]);
    const c = coordinatorOf(h, realJobs(h), { onStart: 'never' });
    await c.start();

    const first = await fill(c, false);
    expect(first).toMatchObject({
      kind: 'job',
      outcome: { status: 'succeeded' },
      coverage: { expected: 6, received: 5, shortTokens: [TCS] },
    });
    // Without fetching again, the finished plan answers with the same coverage and no request.
    const calls = h.historical.requests.length;
    expect(await fill(c, false)).toMatchObject({ kind: 'finished', coverage: { received: 5 } });
    expect(h.historical.requests.length).toBe(calls);

    h.historical.add('minute', [minute(TCS, '2026-11-17 10:04:00')]);
    const again = await fill(c, true);
    expect(again).toMatchObject({ kind: 'job', coverage: { expected: 6, received: 6, shortTokens: [] } });
    expect(again.kind === 'job' && again.outcome.planId).toMatch(/\.r2$/);
    await c.stop();
  });

  it('gaps due together with the same windows are one backfill of their instruments; each hears its own coverage', async () => {
    const h = makeHarness();
    h.clock.set(ist('2026-11-17 16:15:00'));
    h.historical.add('minute', [
      minute(RELIANCE, '2026-11-17 10:02:00'),
      minute(TCS, '2026-11-17 10:02:00'),
      minute(NIFTY, '2026-11-17 10:02:00'),
      minute(NIFTY, '2026-11-17 11:00:00'),
    ]);
    const jobs = realJobs(h);
    const targets: string[][] = [];
    const c = coordinatorOf(
      h,
      (target, signal) => {
        if (target.kind === 'new') targets.push([...target.request.tokens]);
        return jobs(target, signal);
      },
      { onStart: 'never' },
    );
    await c.start();
    const oneMinute = {
      from: ist('2026-11-17 10:02:10'),
      to: ist('2026-11-17 10:02:50'),
      cause: 'failover',
    } as const;
    const results = await Promise.all(
      [
        { ...oneMinute, tokens: [RELIANCE] },
        { ...oneMinute, tokens: [TCS] },
        { ...oneMinute, tokens: [NIFTY] },
        // Another minute: another backfill.
        {
          from: ist('2026-11-17 11:00:10'),
          to: ist('2026-11-17 11:00:40'),
          cause: 'failover',
          tokens: [NIFTY],
        } as const,
      ].map((g) => new Promise<GapFillResult>((resolve) => c.fillGap(g, resolve))),
    );
    expect(targets.map((t) => t.length).sort()).toEqual([1, 3]);
    for (const r of results)
      expect(r).toMatchObject({
        kind: 'job',
        outcome: { status: 'succeeded' },
        coverage: { expected: 1, received: 1 },
      });
    await c.stop();
  });
});
