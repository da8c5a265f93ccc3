import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { describeServiceConfig } from '../../../src/app/root/config/describe-service-config.ts';
import { decodeServiceConfig } from '../../../src/app/root/config/service-config.ts';

const live = { MSTOCK_USER: 'u', MSTOCK_PASS: 'p', MSTOCK_API_KEY: 'k' };

describe('the cluster settings', () => {
  it('leave the cluster off when CLUSTER_GROUP is unset', () => {
    const r = decodeServiceConfig(live, 'live', '/srv');
    expect(E.isRight(r) && r.right.cluster).toBeUndefined();
  });

  it('take their defaults with CLUSTER_GROUP set', () => {
    const r = decodeServiceConfig({ ...live, CLUSTER_GROUP: 'east' }, 'live', '/srv');
    expect(E.isRight(r) && r.right.cluster).toEqual({
      group: 'east',
      topic: 'tickflow_shards',
      shards: 12,
      sessionTimeoutMs: 10_000,
    });
    if (E.isRight(r))
      expect(describeServiceConfig(r.right)).toEqual(
        expect.arrayContaining([
          'CLUSTER_GROUP=east',
          'CLUSTER_SHARDS=12',
          'CLUSTER_SESSION_TIMEOUT_MS=10000',
        ]),
      );
  });

  it("refuse a session timeout outside the broker's default bounds, and a shard count below one, naming them", () => {
    const r = decodeServiceConfig(
      { ...live, CLUSTER_GROUP: 'east', CLUSTER_SESSION_TIMEOUT_MS: '5000', CLUSTER_SHARDS: '0' },
      'live',
      '/srv',
    );
    expect(E.isLeft(r)).toBe(true);
    const lines = E.isLeft(r) ? r.left : [];
    expect(lines.some((l) => l.startsWith('CLUSTER_SESSION_TIMEOUT_MS:') && l.includes('"5000"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('CLUSTER_SHARDS:'))).toBe(true);
    const high = decodeServiceConfig({ ...live, CLUSTER_SESSION_TIMEOUT_MS: '1800001' }, 'live', '/srv');
    expect(E.isLeft(high) && high.left.some((l) => l.startsWith('CLUSTER_SESSION_TIMEOUT_MS:'))).toBe(true);
  });
});
