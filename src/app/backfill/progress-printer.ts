import type { PlanProgress } from '../../domain/backfill-plan-queries.ts';
import type { PlanId } from '../../domain/backfill-plan-types.ts';

export interface ProgressOut {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const BAR_WIDTH = 30;
/** Plain lines at most this often (and on every change of the failure counts, and at the end). */
const LINE_EVERY_MS = 1000;

const counts = (p: PlanProgress): string =>
  `${p.published}/${p.total} chunks, ${p.publishedBars} bars` +
  (p.failed > 0 ? `, ${p.failed} failed` : '') +
  (p.givenUp > 0 ? `, ${p.givenUp} given up` : '');

/** `[#########.....................] 30%`: the settled share of the plan's chunks. */
export const progressBar = (p: PlanProgress): string => {
  const share = p.total === 0 ? 1 : (p.published + p.givenUp) / p.total;
  const filled = Math.round(share * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}%`;
};

/**
 * Backfill progress for a terminal (one bar, redrawn in place) or for a log (a plain line now and
 * then). `done` ends the bar's line.
 */
export const progressPrinter = (out: ProgressOut, now: () => number = Date.now) => {
  const tty = out.isTTY === true;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let last: PlanProgress | undefined;
  let drawn = false;
  return {
    update: (planId: PlanId, p: PlanProgress): void => {
      const settled = p.published + p.givenUp;
      if (tty) {
        const filled = p.total === 0 ? BAR_WIDTH : Math.round((settled / p.total) * BAR_WIDTH);
        out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${counts(p)}`);
        drawn = true;
      } else {
        const finished = settled === p.total;
        const changed = last === undefined || last.failed !== p.failed || last.givenUp !== p.givenUp;
        if (finished || changed || now() - lastLineAt >= LINE_EVERY_MS) {
          out.write(`Backfill ${planId}: ${counts(p)}\n`);
          lastLineAt = now();
        }
      }
      last = p;
    },
    done: (): void => {
      if (tty && drawn) out.write('\n');
    },
  };
};
