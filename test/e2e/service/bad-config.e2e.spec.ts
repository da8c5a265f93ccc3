import { describe, expect, it } from 'vitest';
import { startTickflow } from '../../support/service-process.ts';

const valid = {
  MSTOCK_USER: 'u',
  MSTOCK_PASS: 'p',
  MSTOCK_API_KEY: 'k',
  MSTOCK_TOTP_SECRET: 'JBSWY3DPEHPK3PXP',
};

describe('tickflow live refuses a bad configuration before connecting anything', () => {
  it.each([
    ['a missing user', { ...valid, MSTOCK_USER: '' }, /^tickflow live: MSTOCK_USER: missing/],
    [
      'a non-numeric port',
      { ...valid, METRICS_PORT: 'abc' },
      /^tickflow live: METRICS_PORT: expected an integer from 0 to 65535 \(got "abc"\)$/,
    ],
    [
      'an unknown log level',
      { ...valid, LOG_LEVEL: 'chatty' },
      /^tickflow live: LOG_LEVEL: expected one of debug\|info\|warn\|error/,
    ],
    [
      'a malformed broker list',
      { ...valid, KAFKA_BROKER: 'kafka:9092;kafka2' },
      /^tickflow live: KAFKA_BROKER: expected a comma-separated list of host:port/,
    ],
    [
      'a bad SASL mechanism',
      { ...valid, KAFKA_SASL_MECHANISM: 'md5' },
      /^tickflow live: KAFKA_SASL_MECHANISM: expected one of plain\|scram-sha-256\|scram-sha-512/,
    ],
  ])('%s: one line naming the variable, exit 2', async (_what, env, expected) => {
    const p = startTickflow(['live'], env);
    expect(await p.exited()).toBe(2);
    const lines = p.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });
});
