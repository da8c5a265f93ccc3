import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { DEMO_CREDENTIALS, type RunningSimulator } from '../../../src/simulator/index.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { sdkMaster, type SdkMasterRow } from '../../support/sdk-master.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow } from '../../support/service-process.ts';
import { waitFor } from '../../support/wait-for.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';

const run = promisify(execFile);

const QUERY = 'segment=NFO-OPT name=NIFTY';
const PER_SOCKET = 500;

/** The NIFTY options of the master, as a user of the official SDK downloads it: what the query must select. */
const niftyOptions = async (sim: RunningSimulator): Promise<SdkMasterRow[]> =>
  (await sdkMaster(sim.url, DEMO_CREDENTIALS)).filter((r) => r.segment === 'NFO-OPT' && r.name === 'NIFTY');

interface Connection {
  readonly id: string;
  readonly open: boolean;
  readonly tokens: readonly number[];
}
const openConnections = async (sim: RunningSimulator): Promise<Connection[]> =>
  ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { connections: Connection[] }).connections.filter(
    (c) => c.open && c.tokens.length > 0,
  );

/** Every key (token) on a topic from its start, as a consumer group reads it, gathered as it comes. */
const keysOf = async (
  broker: string,
  topic: string,
): Promise<{ keys: Set<string>; stop: () => Promise<void> }> => {
  const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${topic}-test` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const keys = new Set<string>();
  await consumer.run({
    eachBatch: ({ batch }) => {
      for (const m of batch.messages) if (m.key !== null) keys.add(m.key.toString());
      return Promise.resolve();
    },
  });
  return { keys, stop: () => consumer.disconnect() };
};

const sorted = (tokens: Iterable<string | number>): string[] => [...tokens].map(String).sort();

describe('the whole market: INSTRUMENTS_QUERY over the master, several sockets, a refreshed expiry', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    // 800-odd options at 2 ticks/s each or so.
    sim = await startSimulator({ port: 0, rate: 2000, alwaysOpen: true, universe: 'large' });
  });
  afterAll(async () => sim.close());

  it('follows every NIFTY option over the sockets it needs; a dropped socket is a gap of its instruments only; a new expiry moves the subscriptions', async () => {
    const ns = randomUUID().slice(0, 8);
    const topics = { ticks: `ticks-${ns}`, gaps: `gaps-${ns}` };
    const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-market-'));
    const channel = `commands-${ns}`;
    const port = await freePort();
    const service = startTickflow(['live'], {
      ...simulatorEnv(sim),
      INSTRUMENTS_QUERY: QUERY,
      MSTOCK_MAX_INSTRUMENTS_PER_SOCKET: String(PER_SOCKET),
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: inject('redisUrl'),
      REDIS_COMMAND_CHANNEL: channel,
      TICK_TOPIC: topics.ticks,
      GAP_TOPIC: topics.gaps,
      KAFKA_TOPIC_PARTITIONS: '3',
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: dataDir,
      BACKFILL_ON_START: 'never',
    });
    const redis = new Redis(inject('redisUrl'));
    let onTopic: Awaited<ReturnType<typeof keysOf>> | undefined;
    try {
      await service.waitForLine(/^\[INFO\] Instruments selected\b/, 60_000);
      const started = Date.now();
      const consumed = await keysOf(inject('kafkaBroker'), topics.ticks);
      onTopic = consumed;
      // What the query must select, read from the master by another client, not by tickflow.
      const rows = await niftyOptions(sim);
      const wanted = sorted(rows.map((r) => r.instrument_token));
      expect(wanted.length).toBeGreaterThan(PER_SOCKET);

      // The sockets it needs, each within the limit, together exactly the selection.
      const sockets = await waitFor(
        'every socket subscribed',
        async () => {
          const open = await openConnections(sim);
          const all = sorted(open.flatMap((c) => c.tokens));
          return all.length === wanted.length ? open : undefined;
        },
        30_000,
      );
      expect(sockets).toHaveLength(Math.ceil(wanted.length / PER_SOCKET));
      for (const s of sockets) expect(s.tokens.length).toBeLessThanOrEqual(PER_SOCKET);
      expect(sorted(sockets.flatMap((c) => c.tokens))).toEqual(wanted);

      // Every selected instrument on the tick topic within 60 s, stamped NFO.
      await waitFor(
        'a tick of every selected instrument in Kafka',
        () => Promise.resolve(wanted.every((t) => consumed.keys.has(t)) ? true : undefined),
        Math.max(5_000, 60_000 - (Date.now() - started)),
      );
      const { stdout: exchanges } = await run(
        'kcat',
        ['-b', inject('kafkaBroker'), '-t', topics.ticks, '-C', '-e', '-q', '-c', '2000', '-f', '%s\n'],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      expect(
        new Set(
          exchanges
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => (JSON.parse(l) as { exchange?: string }).exchange),
        ),
      ).toEqual(new Set(['NFO']));

      // One socket killed: one gap per instrument of that socket, and of no other.
      const victim = sockets[0];
      if (victim === undefined) throw new Error('no socket');
      await fetch(`${sim.url}/sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault: 'drop-connection', connection: victim.id }),
      });
      const gapTokens = await waitFor(
        "the lost socket's gaps",
        async () => {
          const opened = (await readTopicWithKcat(inject('kafkaBroker'), topics.gaps))
            .map((m) => JSON.parse(m.value) as { event: string; token: string; cause: string })
            .filter((g) => g.event === 'FeedGapOpened' && g.cause === 'disconnect');
          return opened.length >= victim.tokens.length ? opened.map((g) => g.token) : undefined;
        },
        30_000,
      );
      expect(sorted(gapTokens)).toEqual(sorted(victim.tokens));

      // A new expiry: the nearest one leaves the master, a later one joins; REFRESH_INSTRUMENTS
      // (as the daily refresh would at INSTRUMENTS_REFRESH_AT) moves the subscriptions, no restart.
      const rolled = (await (
        await fetch(`${sim.url}/sim/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ fault: 'roll-expiry' }),
        })
      ).json()) as { result: { expired: string } };
      const wantedAfter = sorted((await niftyOptions(sim)).map((r) => r.instrument_token));
      const expired = rows.filter((r) => r.expiry === rolled.result.expired);
      expect(expired.length).toBeGreaterThan(0);
      await redis.publish(channel, 'REFRESH_INSTRUMENTS');
      await service.waitForLine(/^\[INFO\] Instrument selection changed\b/, 60_000);
      const moved = await waitFor(
        'the sockets to follow the new selection',
        async () => {
          const open = await openConnections(sim);
          const all = sorted(open.flatMap((c) => c.tokens));
          return JSON.stringify(all) === JSON.stringify(wantedAfter) ? open : undefined;
        },
        30_000,
      );
      expect(
        moved.flatMap((c) => c.tokens).some((t) => expired.some((r) => r.instrument_token === String(t))),
      ).toBe(false);
      const joined = wantedAfter.filter((t) => !wanted.includes(t));
      expect(joined.length).toBeGreaterThan(0);
      await waitFor(
        'a tick of every instrument that joined',
        () => Promise.resolve(joined.every((t) => consumed.keys.has(t)) ? true : undefined),
        60_000,
      );

      // Each change is an event in the log: the start, then the command's.
      const events = readFileSync(join(dataDir, 'events', 'selection.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) =>
            (JSON.parse(l) as { e: { data: { reason: string; addedCount: number; removedCount: number } } }).e
              .data,
        );
      expect(events.map((e) => e.reason)).toEqual(['start', 'command']);
      expect(events[1]).toMatchObject({ addedCount: joined.length, removedCount: expired.length });

      service.child.kill('SIGTERM');
      expect(await service.exited()).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
      redis.disconnect();
      await onTopic?.stop();
    }
    await expectTopicMatchesSchema(inject('kafkaBroker'), topics.ticks, 'ticks');
    await expectTopicMatchesSchema(inject('kafkaBroker'), topics.gaps, 'gaps');
  }, 300_000);
});
