import { describe, expect, it } from 'vitest';
import { LoginGate } from '../../../src/adapters/mstock/login-gate.ts';
import { epochMs } from '../../../src/domain/units.ts';

describe('LoginGate', () => {
  it('holds every login until the longest hold is over', () => {
    let now = 1000;
    const gate = new LoginGate({ now: () => epochMs(now) });
    expect(gate.remainingMs()).toBe(0);
    gate.hold(5000);
    gate.hold(2000);
    now += 1000;
    expect(gate.remainingMs()).toBe(4000);
    now += 4000;
    expect(gate.remainingMs()).toBe(0);
  });

  it('counts a refused key once per login, however many sockets waited on it', () => {
    const gate = new LoginGate({ now: () => epochMs(0) });
    const first = new Error('refused');
    expect([gate.keyRefused(first), gate.keyRefused(first), gate.keyRefused(first)]).toEqual([1, 1, 1]);
    expect(gate.keyRefused(new Error('refused again'))).toBe(2);
    gate.keyAccepted();
    expect(gate.keyRefused(first)).toBe(1);
  });
});
