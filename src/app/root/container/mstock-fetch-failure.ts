import { isMstockError } from '../../../adapters/mstock/mstock-errors.ts';
import { OtpUnavailable } from '../../../adapters/mstock/session-manager.ts';
import type { FetchFailure } from '../../backfill/fetch-stage.ts';

/** m.Stock's failures as the fetch stage acts on them. */
export const classifyMstockFailure = (e: unknown): FetchFailure => {
  if (e instanceof OtpUnavailable) return 'fatal';
  if (!isMstockError(e)) return 'retry';
  switch (e.kind) {
    case 'InvalidCredentials':
    case 'InvalidOtp':
    case 'ApiKeyRejected':
      return 'fatal';
    case 'UnexpectedResponse':
      return 'give-up';
    case 'SessionExpired':
    case 'RateLimited':
    case 'BrokerUnavailable':
      return 'retry';
  }
};
