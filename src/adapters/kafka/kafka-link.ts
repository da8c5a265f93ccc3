import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Gauge, Metrics } from '../../ports/metrics.ts';
import type { KafkaSinkStartError } from './kafka-start-error.ts';

/** Whether the last word from Kafka was an answer; `unreachableSince` is set while it was not. */
export interface KafkaLinkStatus {
  readonly connected: boolean;
  readonly unreachableSince: number | undefined;
}

/** What waits for Kafka meanwhile, for the outage notice. */
export interface KafkaBacklog {
  readonly journalRecords: number;
  readonly journalBytes: number;
  /** Age of the oldest tick Kafka has not acknowledged, in ms; 0 when none waits. */
  readonly oldestAgeMs: number;
}

/** How often an outage is said again in the log. */
export const OUTAGE_NOTICE_EVERY_MS = 30_000;

const seconds = (ms: number): number => Math.round(ms / 1000);

/**
 * The service's view of its Kafka connection: up or unreachable since when (gauges
 * `kafka_connected`, `kafka_unreachable_since_seconds`), a log line every 30 s while Kafka is gone
 * saying what waits in the journal, and `fatal`, which rejects once Kafka answered with a refusal
 * that waiting cannot fix (a topic it cannot create or describe, refused credentials): the service
 * must then stop, its journal kept, rather than publish to the wrong place.
 */
export class KafkaLink {
  readonly fatal: Promise<never>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly connectedGauge: Gauge | undefined;
  private readonly sinceGauge: Gauge | undefined;
  private readonly timer: NodeJS.Timeout;
  private rejectFatal: (e: KafkaSinkStartError) => void = () => undefined;
  private failure: KafkaSinkStartError | undefined;
  private since: number | undefined;
  private backlog: (() => KafkaBacklog) | undefined;

  constructor(deps: {
    readonly clock: Clock;
    readonly logger: Logger;
    readonly metrics?: Metrics;
    /** Reached already (a start that waited for Kafka); otherwise unreachable until it answers. */
    readonly connected?: boolean;
  }) {
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.fatal = new Promise<never>((_, reject) => {
      this.rejectFatal = reject;
    });
    // Observed by whoever runs the service; unobserved (a replay) it must not crash the process.
    this.fatal.catch(() => undefined);
    this.connectedGauge = deps.metrics?.gauge('kafka_connected', '1 while Kafka answers the tick sink');
    this.sinceGauge = deps.metrics?.gauge(
      'kafka_unreachable_since_seconds',
      'Epoch seconds since Kafka stopped answering (or was never reached); 0 while it answers',
    );
    this.since = deps.connected === true ? undefined : this.clock.now();
    this.updateGauges();
    this.timer = setInterval(() => {
      this.notice();
    }, OUTAGE_NOTICE_EVERY_MS);
    this.timer.unref();
  }

  status(): KafkaLinkStatus {
    return { connected: this.since === undefined, unreachableSince: this.since };
  }

  /** The refusal that stopped the link, if one did. */
  get failed(): KafkaSinkStartError | undefined {
    return this.failure;
  }

  /** Where the outage notice reads what waits; without it (the control topics) there is no notice. */
  describeBacklogWith(backlog: () => KafkaBacklog): void {
    this.backlog = backlog;
  }

  answered(): void {
    if (this.since === undefined) return;
    const gone = this.clock.now() - this.since;
    this.since = undefined;
    this.updateGauges();
    this.logger.info('Kafka answers', { unreachableForSeconds: seconds(gone) });
  }

  unreachable(): void {
    if (this.since !== undefined) return;
    this.since = this.clock.now();
    this.updateGauges();
  }

  fail(error: KafkaSinkStartError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.logger.error(error.message, { journalKept: true });
    this.rejectFatal(error);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private notice(): void {
    if (this.since === undefined || this.failure !== undefined || this.backlog === undefined) return;
    const b = this.backlog();
    this.logger.warn(
      `Kafka unreachable for ${seconds(this.clock.now() - this.since)} s; ticks wait in the journal`,
      {
        since: new Date(this.since).toISOString(),
        journalRecords: b.journalRecords,
        journalBytes: b.journalBytes,
        oldestTickAgeSeconds: seconds(b.oldestAgeMs),
      },
    );
  }

  private updateGauges(): void {
    this.connectedGauge?.set(this.since === undefined ? 1 : 0);
    this.sinceGauge?.set(this.since === undefined ? 0 : Math.floor(this.since / 1000));
  }
}
