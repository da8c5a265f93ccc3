import { addDays, istDateOf, istInstant, istTime, istWeekday, SATURDAY } from '../../../src/domain/ist.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';
import type { CandleRequest } from '../../../src/ports/historical-data.ts';
import { brokerFeedContract } from '../../contract/broker-feed.contract.ts';
import { historicalDataContract } from '../../contract/historical-data.contract.ts';
import { startSimulatorAndAdapters } from './simulator-harness.ts';

brokerFeedContract('m.Stock against the simulator', async () => {
  const h = await startSimulatorAndAdapters({ sim: { rate: 500 } });
  return {
    feed: h.feed,
    tokens: ['26000', '2885', '11536', '1594'].map(instrumentToken),
    mode: 'full',
    close: h.close,
  };
});

historicalDataContract('m.Stock against the simulator', async () => {
  const h = await startSimulatorAndAdapters({
    sim: { historicalRatePerSecond: 0 },
    settings: { historical: { rateLimit: { perSecond: 0 } } },
  });
  const market = makeMarketSession();
  const now = epochMs(Date.now());
  const days = market.previousTradingDays(now, 5);
  const token = instrumentToken('2885');
  const request: CandleRequest = {
    token,
    exchange: 'NSE',
    interval: 'minute',
    from: market.sessionBounds(days.at(-1)!).open,
    to: market.sessionBounds(days[0]!).close,
  };
  // The latest weekend with no special session on either day.
  let saturday = istDateOf(now);
  while (
    istWeekday(saturday) !== SATURDAY ||
    market.isTradingDay(saturday) ||
    market.isTradingDay(addDays(saturday, 1))
  ) {
    saturday = addDays(saturday, -1);
  }
  const weekend: CandleRequest = {
    ...request,
    from: istInstant(saturday, istTime(0, 0)),
    to: (istInstant(addDays(saturday, 2), istTime(0, 0)) - 1000) as EpochMs,
  };
  return { data: h.historical, request, emptyRequest: weekend, close: h.close };
});
