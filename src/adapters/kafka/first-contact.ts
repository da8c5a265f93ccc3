import type { KafkaLink } from './kafka-link.ts';
import type { KafkaSinkStartError } from './kafka-start-error.ts';
import { Wakeup } from './wakeup.ts';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5000;

/**
 * The first meeting with Kafka, made once: the topics created or checked and the producer
 * connected (`prepare`). A start that does not wait for Kafka tries it in the background until it
 * succeeds, and a send that comes first joins or starts an attempt. A refusal that waiting cannot
 * fix (`classify` says so: anything but `BrokerUnreachable`) fails the link for good.
 */
export class FirstContact {
  private readonly prepare: () => Promise<void>;
  private readonly classify: (error: unknown) => KafkaSinkStartError;
  private readonly link: KafkaLink;
  private readonly wakeup = new Wakeup();
  private reached: boolean;
  private attempt: Promise<void> | undefined;
  private stopped = false;

  constructor(
    prepare: () => Promise<void>,
    classify: (error: unknown) => KafkaSinkStartError,
    link: KafkaLink,
    options: { readonly reached?: boolean } = {},
  ) {
    this.prepare = prepare;
    this.classify = classify;
    this.link = link;
    this.reached = options.reached === true;
  }

  /** Resolves once Kafka has been met; rejects with this attempt's failure (or the fatal one). */
  reach(): Promise<void> {
    const failure = this.link.failed;
    if (failure !== undefined) return Promise.reject(failure);
    if (this.reached) return Promise.resolve();
    this.attempt ??= this.prepare()
      .then(
        () => {
          this.reached = true;
          this.link.answered();
        },
        (e: unknown) => {
          const failure = this.classify(e);
          if (failure.kind === 'BrokerUnreachable') {
            this.link.unreachable();
            throw e;
          }
          this.link.fail(failure);
          throw failure;
        },
      )
      .finally(() => {
        this.attempt = undefined;
      });
    return this.attempt;
  }

  /** Tries in the background, backing off to 5 s, until Kafka is met, the link fails or `stop`. */
  keepTrying(): void {
    void (async () => {
      let pauseMs = RETRY_MIN_MS;
      while (!this.stopped && !this.reached && this.link.failed === undefined) {
        try {
          await this.reach();
        } catch {
          await this.wakeup.wait(pauseMs);
          pauseMs = Math.min(RETRY_MAX_MS, pauseMs * 2);
        }
      }
    })();
  }

  /** Ends the background tries (sends may still make their own). */
  stop(): void {
    this.stopped = true;
    this.wakeup.notify();
  }
}
