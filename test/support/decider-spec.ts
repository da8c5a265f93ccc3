import { expect } from 'vitest';

/** Any decider: three plain functions (style.md §2). Refusals are values with a `reason`. */
export interface Decider<C, E, S, R extends { readonly reason: string }> {
  readonly decide: (command: C, state: S) => readonly E[] | R;
  readonly evolve: (state: S, event: E) => S;
  readonly initialState: S;
}

export interface WhenResult<E, S, R extends { readonly reason: string }> {
  /** The command yields exactly these events, in this order. */
  then(expected: readonly E[]): void;
  /** The command is refused for this reason. */
  thenRefuses(reason: R['reason']): void;
  /** The events, for checks that equality cannot express; fails if the command was refused. */
  events(): readonly E[];
  /** The state after the given events and the command's events; fails if the command was refused. */
  state(): S;
}

/**
 * given(events).when(command).then(expectedEvents): the state comes only from folding `events`,
 * exactly as a stored stream is resumed.
 */
export const deciderSpec = <C, E, S, R extends { readonly reason: string }>(decider: Decider<C, E, S, R>) => {
  const fold = (events: readonly E[], from: S): S => events.reduce((s, e) => decider.evolve(s, e), from);
  const isEvents = (r: readonly E[] | R): r is readonly E[] => Array.isArray(r);

  return {
    given: (events: readonly E[]) => ({
      when: (command: C): WhenResult<E, S, R> => {
        const before = fold(events, decider.initialState);
        const result = decider.decide(command, before);
        const accepted = (): readonly E[] => {
          if (!isEvents(result)) expect.fail(`expected events, got refusal ${JSON.stringify(result)}`);
          return result;
        };
        return {
          then: (expected) => expect(accepted()).toEqual(expected),
          thenRefuses: (reason) => {
            if (isEvents(result)) expect.fail(`expected refusal ${reason}, got ${JSON.stringify(result)}`);
            expect(result.reason).toBe(reason);
          },
          events: accepted,
          state: () => fold(accepted(), before),
        };
      },
    }),
  };
};
