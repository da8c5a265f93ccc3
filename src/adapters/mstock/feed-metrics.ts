import type { Counter, Metrics } from '../../ports/metrics.ts';

/**
 * The feed's counters, created once so the hot path only calls `inc`. Per frame, never per tick:
 * a frame's packets are added in one `inc(n)`.
 */
export class FeedMetrics {
  readonly dataFrames: Counter;
  readonly heartbeatFrames: Counter;
  readonly textFrames: Counter;
  readonly packets: Counter;
  readonly dataBytes: Counter;
  readonly malformedPackets: Counter;
  readonly reconnects: Counter;
  readonly backpressurePauses: Counter;
  readonly serverErrors: Counter;
  readonly unsubscribedTicks: Counter;
  readonly sessionTakenOver: Counter;
  private readonly metrics: Metrics;
  private readonly connectFailures = new Map<string, Counter>();

  constructor(metrics: Metrics) {
    this.metrics = metrics;
    const frames = (type: string): Counter =>
      metrics.counter('websocket_frames_total', 'Feed frames received, by type', { type });
    this.dataFrames = frames('data');
    this.heartbeatFrames = frames('heartbeat');
    this.textFrames = frames('text');
    this.packets = metrics.counter('websocket_packets_total', 'Feed packets decoded into ticks');
    this.dataBytes = metrics.counter('websocket_data_bytes_total', 'Bytes of binary feed frames received');
    this.malformedPackets = metrics.counter(
      'websocket_malformed_packets_total',
      'Feed packets (or frame headers) that could not be decoded and were skipped',
    );
    this.reconnects = metrics.counter('websocket_reconnects_total', 'Feed connections made after the first');
    this.backpressurePauses = metrics.counter(
      'websocket_backpressure_pauses_total',
      'Times the feed socket was paused because the consumer fell behind',
    );
    this.serverErrors = metrics.counter(
      'websocket_server_errors_total',
      'Error messages sent by the feed server',
    );
    this.unsubscribedTicks = metrics.counter(
      'websocket_unsubscribed_ticks_total',
      'Ticks dropped because their token was not subscribed',
    );
    this.sessionTakenOver = metrics.counter(
      'mstock_session_taken_over_total',
      'Episodes in which another login with the same m.Stock user kept ending this session (counted once each)',
    );
  }

  /** `websocket_connect_failures_total{error}`, one series per error kind, made on first use. */
  connectFailure(error: string): void {
    let counter = this.connectFailures.get(error);
    if (counter === undefined) {
      counter = this.metrics.counter(
        'websocket_connect_failures_total',
        'Feed connection attempts that failed',
        {
          error,
        },
      );
      this.connectFailures.set(error, counter);
    }
    counter.inc();
  }
}
