import type { ServiceIdentifier } from 'inversify';
import type { MstockAdapters } from '../../../adapters/mstock/create-mstock-adapters.ts';
import type { FeedRecording } from '../../../adapters/recording/feed-recorder.ts';
import type { PrometheusMetrics } from '../../../adapters/prometheus/prometheus-metrics.ts';
import type { ReplayBrokerFeed } from '../../../adapters/replay/replay-broker-feed.ts';
import type { ReconciliationEvent } from '../../../domain/reconciliation-events.ts';
import type { GapLedgerEvent } from '../../../domain/gap-ledger.ts';
import type { SelectionEvent } from '../../../domain/selection-events.ts';
import type { SelectionSource } from '../../live/selection-refresh.ts';
import type { MarketSession } from '../../../domain/market-session.ts';
import { eventLogId } from '../../../ports/event-log/event-log.ts';
import type { BackfillLogEvent } from '../../../ports/event-log/streams/plan-event-codec.ts';
import type { ServiceConfig } from '../config/service-config.ts';

// The composition root's own tokens; the ports' tokens live beside the ports.
export const ServiceConfigId: ServiceIdentifier<ServiceConfig> = Symbol.for('tickflow.ServiceConfig');
/** What the live path follows: the fixed list, or INSTRUMENTS_QUERY over the instrument master. */
export const SelectionSourceId: ServiceIdentifier<SelectionSource> = Symbol.for('tickflow.SelectionSource');
export const MarketSessionId: ServiceIdentifier<MarketSession> = Symbol.for('tickflow.MarketSession');
export const PrometheusMetricsId: ServiceIdentifier<PrometheusMetrics> = Symbol.for(
  'tickflow.PrometheusMetrics',
);
export const MstockAdaptersId: ServiceIdentifier<MstockAdapters> = Symbol.for('tickflow.MstockAdapters');
/** The session recorder of `tickflow record`, whose summary the command reports. */
export const FeedRecordingId: ServiceIdentifier<FeedRecording> = Symbol.for('tickflow.FeedRecording');
/** The replay feed as itself: the CLI reads its report for the progress line. */
export const ReplayFeedId: ServiceIdentifier<ReplayBrokerFeed> = Symbol.for('tickflow.ReplayFeed');

/** The backfill plans' event log (EVENT_LOG). */
export const BackfillLogId = eventLogId<BackfillLogEvent>('backfill');
/** The gap ledger's event log (EVENT_LOG, its own stream or topic). */
export const GapLedgerLogId = eventLogId<GapLedgerEvent>('gaps');
/** The reconciliations' event log (EVENT_LOG, its own stream or topic). */
export const ReconciliationLogId = eventLogId<ReconciliationEvent>('reconciliation');
/** The instrument selection's changes (EVENT_LOG, its own stream or topic). */
export const SelectionLogId = eventLogId<SelectionEvent>('selection');
