import type { ValidationRules } from '../../../domain/tick-validation.ts';
import type { AppConfig } from './app-config.ts';

/** The tick checks as the settings give them: live and replay screen with the same rules. */
export const validationRulesOf = (app: AppConfig): ValidationRules => ({
  bandPercent: app.priceBandPercent,
  maxExchangeLeadMs: app.maxExchangeLeadMs,
  maxExchangeLagMs: app.maxExchangeLagMs,
});
