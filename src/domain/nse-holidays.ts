/**
 * NSE capital-market trading holidays that fall on weekdays, from the exchange's circulars. No API
 * gives them (mstock-protocol.md, "Market hours"): extend this table every December when NSE
 * publishes the next year, and between times through `extraHolidays` in the config.
 *
 * Holidays that fall on a Saturday or Sunday are left out: the weekend rule already closes them.
 */
export interface NseHoliday {
  readonly date: string;
  readonly name: string;
}

/** The last date this table knows about. Past it, only weekends and configured holidays close the market. */
export const NSE_HOLIDAYS_KNOWN_THROUGH = '2026-12-31';

export const NSE_HOLIDAYS: readonly NseHoliday[] = [
  // 2025: NSE's capital-market holiday circular of December 2024 (from memory, cross-checked
  // against several published copies of the list; the circular number was not at hand).
  { date: '2025-02-26', name: 'Mahashivratri' },
  { date: '2025-03-14', name: 'Holi' },
  { date: '2025-03-31', name: 'Id-Ul-Fitr (Ramadan Eid)' },
  { date: '2025-04-10', name: 'Shri Mahavir Jayanti' },
  { date: '2025-04-14', name: 'Dr. Baba Saheb Ambedkar Jayanti' },
  { date: '2025-04-18', name: 'Good Friday' },
  { date: '2025-05-01', name: 'Maharashtra Day' },
  { date: '2025-08-15', name: 'Independence Day' },
  { date: '2025-08-27', name: 'Ganesh Chaturthi' },
  { date: '2025-10-02', name: 'Mahatma Gandhi Jayanti / Dussehra' },
  // Muhurat trading was held on this day: see NSE_SPECIAL_SESSIONS.
  { date: '2025-10-21', name: 'Diwali Laxmi Pujan' },
  { date: '2025-10-22', name: 'Diwali Balipratipada' },
  { date: '2025-11-05', name: 'Prakash Gurpurb Sri Guru Nanak Dev' },
  { date: '2025-12-25', name: 'Christmas' },

  // 2026, NSE/CMTR/71775 (12 Dec 2025), as amended by NSE/CMTR/72260 (12 Jan 2026) for Jan 15.
  // Mahashivratri (Feb 15), Id-Ul-Fitr (Mar 21), Independence Day (Aug 15) and Diwali Laxmi Pujan
  // (Nov 8, a Sunday with Muhurat trading, timings not yet notified) fall on weekends.
  { date: '2026-01-15', name: 'Municipal Corporation Election in Maharashtra' },
  { date: '2026-01-26', name: 'Republic Day' },
  { date: '2026-03-03', name: 'Holi' },
  { date: '2026-03-26', name: 'Shri Ram Navami' },
  { date: '2026-03-31', name: 'Shri Mahavir Jayanti' },
  { date: '2026-04-03', name: 'Good Friday' },
  { date: '2026-04-14', name: 'Dr. Baba Saheb Ambedkar Jayanti' },
  { date: '2026-05-01', name: 'Maharashtra Day' },
  { date: '2026-05-28', name: 'Bakri Id' },
  { date: '2026-06-26', name: 'Muharram' },
  { date: '2026-09-14', name: 'Ganesh Chaturthi' },
  { date: '2026-10-02', name: 'Mahatma Gandhi Jayanti' },
  { date: '2026-10-20', name: 'Dussehra' },
  { date: '2026-11-10', name: 'Diwali Balipratipada' },
  { date: '2026-11-24', name: 'Prakash Gurpurb Sri Guru Nanak Dev' },
  { date: '2026-12-25', name: 'Christmas' },
];

/** A session with other hours than 09:15–15:30, IST wall-clock 'HH:MM' or 'HH:MM:SS'. */
export interface SpecialSession {
  readonly date: string;
  readonly name: string;
  readonly open: string;
  readonly close: string;
  /** Start of the pre-open call auction; 15 minutes before `open` when absent. */
  readonly preOpen?: string;
}

/**
 * Special sessions NSE has notified. Muhurat trading 2025: pre-open 13:30, normal market
 * 13:45–14:45 IST (NSE circulars of October 2025). The 2026 session (Sunday, Nov 8) is known by
 * date only: add it through `sessionOverrides` once NSE publishes its hours.
 */
export const NSE_SPECIAL_SESSIONS: readonly SpecialSession[] = [
  { date: '2025-10-21', name: 'Muhurat trading (Diwali Laxmi Pujan)', open: '13:45', close: '14:45' },
];
