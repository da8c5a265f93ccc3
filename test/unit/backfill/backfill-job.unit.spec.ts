import { describe, expect, it } from 'vitest';
import { BackfillJob, type JobTarget } from '../../../src/app/backfill/backfill-job.ts';
import { ChunkFiles } from '../../../src/adapters/backfill-stages/chunk-files.ts';
import { resolveRequest } from '../../../src/app/backfill/plan-request.ts';
import type { Exchange } from '../../../src/domain/instrument.ts';
import { tickId } from '../../../src/domain/tick.ts';
import type { PlanEvent } from '../../../src/domain/backfill-plan-types.ts';
import { faulty } from './faulty-launcher.ts';
import {
  FIVE_DAYS,
  JOB_SETTINGS,
  NIFTY,
  RELIANCE,
  TCS,
  jobDepsOf,
  loadMinuteBars,
  makeHarness,
  nse,
  type Harness,
} from './backfill-fixtures.ts';

const TOKENS = [NIFTY, RELIANCE, TCS];

const newTarget = (h: Harness, tokens = TOKENS): JobTarget => ({
  kind: 'new',
  request: resolveRequest(
    { tokens, interval: 'minute', span: { kind: 'days', days: 5 } },
    nse,
    h.clock.now(),
  ),
});

const jobOf = (h: Harness, settings = JOB_SETTINGS, tokens = TOKENS) =>
  new BackfillJob(jobDepsOf(h), settings, newTarget(h, tokens));

const storedEvents = (h: Harness): PlanEvent[] =>
  [...h.storage.streams.entries()]
    .filter(([stream]) => stream.startsWith('backfill-'))
    .flatMap(([, lines]) => lines.map((l) => JSON.parse(l) as PlanEvent));

describe('BackfillJob', () => {
  it('fetches and publishes every bar of 5 trading days once, then records completion', async () => {
    const h = makeHarness();
    loadMinuteBars(h, TOKENS);
    const outcome = await jobOf(h).run();

    expect(outcome.status).toBe('succeeded');
    // 3 tokens × 3 chunks (two sessions, two sessions, one session of 375 one-minute bars).
    expect(h.historical.requests).toHaveLength(9);
    const ids = h.ticks().map(tickId);
    expect(ids).toHaveLength(3 * 5 * 375);
    expect(new Set(ids).size).toBe(3 * 5 * 375);
    expect(h.ticks().every((t) => t.source === 'backfill' && t.seq === 0)).toBe(true);
    expect(storedEvents(h).at(-1)).toMatchObject({
      type: 'BackfillCompleted',
      data: { publishedBars: 5625 },
    });
    expect(h.metrics.value('batch_job_status')).toBe(2);
    expect(h.metrics.value('backfill_chunks', { state: 'published' })).toBe(9);
    expect(h.metrics.value('backfill_bars_published_total')).toBe(5625);
  });

  it('publishes each tick with close as ltp, the bar start as time and the bar volume', async () => {
    const h = makeHarness();
    loadMinuteBars(h, [RELIANCE]);
    await new BackfillJob(jobDepsOf(h), JOB_SETTINGS, newTarget(h, [RELIANCE])).run();
    const first = h.ticks().find((t) => t.exchangeTime === FIVE_DAYS[0]!.open);
    const candle = (
      await h.historical.candles({
        token: RELIANCE,
        exchange: 'NSE',
        interval: 'minute',
        from: FIVE_DAYS[0]!.open,
        to: FIVE_DAYS[0]!.open,
      })
    )[0]!;
    expect(first).toMatchObject({
      token: RELIANCE,
      ltp: candle.close,
      volume: candle.volume,
      open: candle.open,
      high: candle.high,
      low: candle.low,
    });
  });

  it('stamps each tick with the exchange of the instrument its candles were fetched for', async () => {
    const h = makeHarness();
    loadMinuteBars(h, [RELIANCE, TCS]);
    const exchangeOf = (token: string): Exchange => (token === RELIANCE ? 'BSE' : 'NSE');
    const deps = { ...jobDepsOf(h), exchangeOf };
    expect((await new BackfillJob(deps, JOB_SETTINGS, newTarget(h, [RELIANCE, TCS])).run()).status).toBe(
      'succeeded',
    );
    const stamped = new Set(h.ticks().map((t) => `${t.token} ${String(t.exchange)}`));
    expect([...stamped].sort()).toEqual([`${RELIANCE} BSE`, `${TCS} NSE`].sort());
  });

  it('resumes a plan without fetching a fetched chunk whose file exists, nor publishing a published one', async () => {
    const h = makeHarness();
    loadMinuteBars(h, TOKENS);
    // A first run stopped (as by a shutdown) after four chunks are published.
    const first = jobOf(h, { ...JOB_SETTINGS, maxRestarts: 0 });
    const abort = new AbortController();
    const run = first.run({
      signal: abort.signal,
      onProgress: (_, p) => {
        if (p.published >= 4) abort.abort();
      },
    });
    expect((await run).status).toBe('cancelled');
    const before = storedEvents(h);
    const published = new Set(before.flatMap((e) => (e.type === 'ChunkPublished' ? [e.data.chunkId] : [])));
    const fetched = new Set(before.flatMap((e) => (e.type === 'ChunkFetched' ? [e.data.chunkId] : [])));
    expect(published.size).toBeGreaterThanOrEqual(4);
    expect(published.size).toBeLessThan(9);
    const requestsBefore = h.historical.requests.length;
    const ticksBefore = h.ticks().length;

    // A new service over the same storage resumes the plan it finds in the index.
    const store = h.reopen();
    const planId = await store.latest();
    expect(planId).toBeDefined();
    const resumed = await new BackfillJob(
      {
        store,
        launch: h.launch,
        files: h.files,
        clock: h.clock,
        logger: h.logger,
        metrics: h.metrics,
        exchangeOf: () => 'NSE',
      },
      JOB_SETTINGS,
      { kind: 'resume', planId: planId! },
    ).run();

    expect(resumed.status).toBe('succeeded');
    // Only chunks never fetched were requested again.
    expect(h.historical.requests.length - requestsBefore).toBe(9 - fetched.size);
    const later = h.ticks().slice(ticksBefore).map(tickId);
    const earlier = new Set(h.ticks().slice(0, ticksBefore).map(tickId));
    expect(later.filter((id) => earlier.has(id))).toEqual([]);
    expect(new Set(h.ticks().map(tickId)).size).toBe(3 * 5 * 375);
  });
});

describe('BackfillJob supervision', () => {
  const run = (h: Harness, settings = JOB_SETTINGS) => jobOf(h, settings).run();

  it('restarts a stage process that died, records the chunk it had in hand as failed, and finishes', async () => {
    const h = makeHarness({
      wrap: faulty({ stage: 'fetch', fault: 'kill', after: 2, which: (n) => n === 1 }),
    });
    loadMinuteBars(h, TOKENS);
    const outcome = await run(h);

    expect(outcome.status).toBe('succeeded');
    expect(h.launches.filter((s) => s === 'fetch')).toHaveLength(2);
    expect(h.metrics.value('backfill_child_restarts_total', { stage: 'fetch' })).toBe(1);
    const failures = storedEvents(h).filter((e) => e.type === 'ChunkFailed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ data: { retryable: true, attempt: 1, givenUp: false } });
    expect(failures[0]?.type === 'ChunkFailed' && failures[0].data.reason).toContain('killed by SIGKILL');
    expect(new Set(h.ticks().map(tickId)).size).toBe(3 * 5 * 375);
  });

  it('restarts a stage that fails while starting without blaming a chunk for it', async () => {
    const h = makeHarness({ failingStarts: 2 });
    loadMinuteBars(h, TOKENS);
    const outcome = await run(h);

    expect(outcome.status).toBe('succeeded');
    expect(h.metrics.value('backfill_child_restarts_total', { stage: 'fetch' })).toBe(2);
    expect(storedEvents(h).filter((e) => e.type === 'ChunkFailed')).toEqual([]);
  });

  it('kills a stage process that goes silent, and restarts it', async () => {
    const h = makeHarness({
      wrap: faulty({ stage: 'publish', fault: 'hang', after: 1, which: (n) => n === 1 }),
    });
    loadMinuteBars(h, TOKENS);
    const outcome = await run(h, { ...JOB_SETTINGS, hangMs: 300 });

    expect(outcome.status).toBe('succeeded');
    expect(h.metrics.value('backfill_child_restarts_total', { stage: 'publish' })).toBe(1);
    const failure = storedEvents(h).find((e) => e.type === 'ChunkFailed');
    expect(failure?.type === 'ChunkFailed' && failure.data.reason).toContain('hung');
    expect(new Set(h.ticks().map(tickId)).size).toBe(3 * 5 * 375);
  });

  it('fails the job once the restarts are spent, leaving the plan resumable', async () => {
    const h = makeHarness({ wrap: faulty({ stage: 'fetch', fault: 'kill', after: 1, which: () => true }) });
    loadMinuteBars(h, TOKENS);
    const outcome = await run(h, { ...JOB_SETTINGS, maxRestarts: 2 });

    expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome.status === 'failed' && outcome.reason).toContain('after 2 restart(s)');
    expect(h.launches.filter((s) => s === 'fetch')).toHaveLength(3);
    expect(h.metrics.value('batch_job_status')).toBe(3);
    expect(storedEvents(h).filter((e) => e.type === 'ChunkFailed')).toHaveLength(3);
    const { state } = await h.reopen().load(outcome.planId);
    expect(state.status).toBe('running');
  });

  it('does not restart a stage that reports it cannot work (bad credentials)', async () => {
    const h = makeHarness({ classify: () => 'fatal' });
    loadMinuteBars(h, TOKENS);
    h.historical.failNextWith(new Error('m.Stock login (200) refused the username or password'));
    const outcome = await run(h);

    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.reason).toContain('refused the username or password');
    expect(h.launches.filter((s) => s === 'fetch')).toHaveLength(1);
    expect(h.historical.requests).toHaveLength(1);
  });

  it('gives up a chunk that cannot succeed, publishes the rest, and reports the job failed', async () => {
    const h = makeHarness({
      classify: (e) => (e instanceof Error && e.message === 'unknown token' ? 'give-up' : 'retry'),
    });
    loadMinuteBars(h, TOKENS);
    h.historical.failNextWith(new Error('unknown token'));
    const outcome = await run(h);

    expect(outcome).toMatchObject({ status: 'failed', progress: { givenUp: 1, published: 8 } });
    expect(storedEvents(h).at(-1)).toMatchObject({ type: 'BackfillCompleted', data: { publishedChunks: 8 } });
    expect(h.ticks()).toHaveLength(3 * 5 * 375 - 750);
  });

  it('tries a failed chunk again and succeeds', async () => {
    const h = makeHarness();
    loadMinuteBars(h, TOKENS);
    h.historical.failNextWith(new Error('503')).failNextWith(new Error('503'));
    const outcome = await run(h);

    expect(outcome.status).toBe('succeeded');
    expect(storedEvents(h).filter((e) => e.type === 'ChunkFailed')).toHaveLength(2);
    expect(h.historical.requests).toHaveLength(11);
    expect(new Set(h.ticks().map(tickId)).size).toBe(3 * 5 * 375);
  });

  it('fails the job, naming what was refused, when a stage refuses its work (a relative data path)', async () => {
    const h = makeHarness();
    loadMinuteBars(h, TOKENS);
    const job = new BackfillJob(
      {
        store: h.store,
        launch: h.launch,
        // As with DATA_DIR=.tickflow: the stage takes only absolute paths, and refuses the message.
        files: new ChunkFiles('.tickflow/backfill'),
        clock: h.clock,
        logger: h.logger,
        metrics: h.metrics,
        exchangeOf: () => 'NSE',
      },
      JOB_SETTINGS,
      newTarget(h),
    );
    const outcome = await job.run();

    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.reason).toMatch(
      /^the fetch stage refused its work: parent message "fetch": items\.0\.file: expected an absolute path$/,
    );
    expect(h.metrics.value('batch_job_status')).toBe(3);
    expect(h.launches.filter((s) => s === 'fetch')).toHaveLength(1);
    expect(h.historical.requests).toHaveLength(0);
    const logged = h.logger.records.find((r) => r.message === 'Backfill job failed');
    expect(logged?.fields['reason']).toContain('expected an absolute path');
  });

  it('fails the job when a live stage holds work and reports no chunk for the stall time', async () => {
    const h = makeHarness({
      wrap: faulty({ stage: 'publish', fault: 'stall', after: 2, which: () => true }),
    });
    loadMinuteBars(h, TOKENS);
    const outcome = await run(h, { ...JOB_SETTINGS, hangMs: 2000, stallMs: 300 });

    expect(outcome).toMatchObject({ status: 'failed', progress: { published: 2 } });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(
      /^the publish stage reported no chunk for \d+ s while it had work \(stalled\)$/,
    );
    expect(h.metrics.value('batch_job_status')).toBe(3);
    // Alive all along: not killed as hung, not restarted.
    expect(h.metrics.value('backfill_child_restarts_total', { stage: 'publish' })).toBe(0);
  });

  it('a stage with nothing to do is not stalled, however long it waits for work', async () => {
    const h = makeHarness();
    loadMinuteBars(h, [RELIANCE]);
    // Each request takes 200 ms; the 2nd to 4th fail. The fetch stage reports every 200 ms, while
    // the publish stage, after the first chunk, waits 800 ms with nothing to do.
    const answer = h.historical.candles.bind(h.historical);
    let calls = 0;
    h.historical.candles = async (request, signal) => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 200));
      if (calls >= 2 && calls <= 4) throw new Error('503');
      return answer(request, signal);
    };
    const outcome = await jobOf(h, { ...JOB_SETTINGS, maxAttempts: 5, stallMs: 500 }, [RELIANCE]).run();

    expect(outcome).toMatchObject({ status: 'succeeded', progress: { published: 3 } });
    expect(calls).toBe(6);
  });
});
