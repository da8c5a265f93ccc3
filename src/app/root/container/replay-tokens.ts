import type { ServiceIdentifier } from 'inversify';
import type { RecordPublisher } from '../../../ports/record-publisher.ts';
import type { TickScreen } from '../../trust/tick-screen.ts';

// `tickflow replay`'s own tokens, beside ReplayFeedId (tokens.ts).
/** Where a screened replay's quarantined ticks go. */
export const QuarantinePublisherId: ServiceIdentifier<RecordPublisher> = Symbol.for(
  'tickflow.ReplayQuarantinePublisher',
);
/** The validating screen of a replay (not resolved with --unscreened). */
export const ReplayScreenId: ServiceIdentifier<TickScreen> = Symbol.for('tickflow.ReplayScreen');
