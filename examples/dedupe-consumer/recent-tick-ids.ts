/**
 * The tick ids seen lately, a fixed number per token. One token's ticks share a partition and keep
 * their order, so a repeat always comes after its first copy; a repeat is recognised as long as
 * fewer than `perToken` other ticks of its token arrived in between (README: "The window").
 */
export class RecentTickIds {
  private readonly perToken: number;
  private readonly windows = new Map<string, TokenWindow>();

  constructor(perToken: number) {
    if (!Number.isInteger(perToken) || perToken < 1)
      throw new RangeError('perToken must be a positive integer');
    this.perToken = perToken;
  }

  /** True the first time `tickId` is seen in its token's window (deliver it), false for a repeat. */
  firstSeen(token: string, tickId: string): boolean {
    let window = this.windows.get(token);
    if (window === undefined) {
      window = { ids: new Set(), ring: [], oldest: 0 };
      this.windows.set(token, window);
    }
    if (window.ids.has(tickId)) return false;
    if (window.ring.length < this.perToken) window.ring.push(tickId);
    else {
      // Full: the oldest id leaves the window and the new one takes its slot in the ring.
      const evicted = window.ring[window.oldest];
      if (evicted !== undefined) window.ids.delete(evicted);
      window.ring[window.oldest] = tickId;
      window.oldest = (window.oldest + 1) % this.perToken;
    }
    window.ids.add(tickId);
    return true;
  }
}

interface TokenWindow {
  readonly ids: Set<string>;
  /** The same ids in arrival order, as a ring once full; `oldest` is the next slot to reuse. */
  readonly ring: string[];
  oldest: number;
}
