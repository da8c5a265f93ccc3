import { epochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';

export const systemClock: Clock = { now: () => epochMs(Date.now()) };
