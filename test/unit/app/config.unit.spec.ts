import { either as E } from 'fp-ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeConfig, describeConfig } from '../../../src/app/root/config/app-config.ts';
import { resolveInstruments } from '../../../src/app/root/resolve-instruments.ts';

const live = { MSTOCK_USER: 'u1', MSTOCK_PASS: 'p@ss', MSTOCK_API_KEY: 'k+/=' };

const errorsOf = (env: Record<string, string>, mode: 'live' | 'demo' = 'live'): readonly string[] => {
  const r = decodeConfig(env, mode);
  return E.isLeft(r) ? r.left : [];
};

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const r = decodeConfig(live, 'live');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(r.right.kafkaBroker).toEqual(['kafka:9092']);
    expect(r.right.tickTopic).toBe('market_ticks');
    expect(r.right.commandChannel).toBe('system:commands');
    expect(r.right.metricsPort).toBe(9464);
    expect(r.right.logLevel).toBe('info');
    expect(r.right.backfillOnStart).toBe('auto');
    expect(Object.isFrozen(r.right)).toBe(true);
  });

  it('names a missing user in live mode, and does not need it in demo mode', () => {
    const errors = errorsOf({ MSTOCK_PASS: 'x', MSTOCK_API_KEY: 'y' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^MSTOCK_USER: missing/);
    expect(errorsOf({}, 'demo')).toEqual([]);
  });

  it.each([
    ['METRICS_PORT', 'ninety', /^METRICS_PORT: expected an integer from 0 to 65535 \(got "ninety"\)$/],
    ['METRICS_PORT', '70000', /^METRICS_PORT: expected an integer from 0 to 65535/],
    ['LOG_LEVEL', 'verbose', /^LOG_LEVEL: expected one of debug\|info\|warn\|error/],
    ['KAFKA_BROKER', 'kafka', /^KAFKA_BROKER: expected a comma-separated list of host:port/],
    ['KAFKA_BROKER', 'a:9092,,b:1', /^KAFKA_BROKER: expected/],
    ['KAFKA_BROKER', 'a:99999', /^KAFKA_BROKER: expected/],
    ['REDIS_URL', 'localhost:6379', /^REDIS_URL: expected a URL starting with redis:\/\/ or rediss:\/\//],
    ['MARKET_EXTRA_HOLIDAYS', '2026-13-45', /^MARKET_EXTRA_HOLIDAYS: expected/],
  ])('rejects %s=%s with one line naming it', (name, value, expected) => {
    const errors = errorsOf({ ...live, [name]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
  });

  it('reports every bad variable at once', () => {
    expect(errorsOf({ METRICS_PORT: 'x', LOG_LEVEL: 'loud' })).toHaveLength(5);
  });

  it('accepts a list of brokers, including IPv6 literals', () => {
    const r = decodeConfig({ ...live, KAFKA_BROKER: 'k1:9092, 10.0.0.2:9093,[::1]:9094' }, 'live');
    expect(E.isRight(r) && r.right.kafkaBroker).toEqual(['k1:9092', '10.0.0.2:9093', '[::1]:9094']);
  });

  it('reads secrets from *_FILE variables, and never prints a secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'pass');
    writeFileSync(file, 's3cr3t-value\n');
    const r = decodeConfig(
      {
        MSTOCK_USER: 'u',
        MSTOCK_PASS_FILE: file,
        MSTOCK_API_KEY: 'apikey-123',
        MSTOCK_TOTP_SECRET: 'JBSWY3DPEHPK3PXP',
      },
      'live',
    );
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(r.right.mstockPass).toBe('s3cr3t-value');
    const printed = describeConfig(r.right).join('\n');
    expect(printed).toContain('MSTOCK_PASS=****');
    expect(printed).toContain('MSTOCK_USER=u');
    expect(printed).not.toMatch(/s3cr3t|apikey-123|JBSWY3DP/);
  });

  it('names an unreadable *_FILE', () => {
    const errors = errorsOf({ ...live, MSTOCK_API_KEY: '', MSTOCK_API_KEY_FILE: '/nonexistent/key' });
    expect(errors).toEqual(['MSTOCK_API_KEY_FILE: cannot read /nonexistent/key (ENOENT)']);
  });

  it('does not echo the value of a malformed secret', () => {
    const errors = errorsOf({ ...live, MSTOCK_PASS: '   ' });
    expect(errors.join()).not.toContain('   "');
  });

  it.each(['JBSWY3DPEHPK3PXP', 'jbswy3dpehpk3pxp', 'JBSW Y3DP-EHPK 3PXP', 'JBSWY3DPEHPK3PXP===='])(
    'accepts the TOTP secret %s as the login decodes it (case, spaces, dashes, padding)',
    (secret) => {
      expect(errorsOf({ ...live, MSTOCK_TOTP_SECRET: secret })).toEqual([]);
    },
  );

  it.each(['JBSWY3DP1HPK', 'JBSW=Y3DP', '===='])(
    'refuses the malformed TOTP secret %s at decode, naming it but never printing it',
    (secret) => {
      const errors = errorsOf({ ...live, MSTOCK_TOTP_SECRET: secret });
      expect(errors).toEqual([expect.stringMatching(/^MSTOCK_TOTP_SECRET: expected base32 \(RFC 4648/)]);
      expect(errors.join()).not.toContain(secret);
    },
  );

  it('takes a relative DATA_DIR and EVENT_LOG_DIR against the given working folder, once', () => {
    const r = decodeConfig({ ...live, DATA_DIR: 'state', EVENT_LOG_DIR: '../ev' }, 'live', '/srv/app');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(r.right.dataDir).toBe('/srv/app/state');
    expect(r.right.eventLogDir).toBe('/srv/ev');
    const byDefault = decodeConfig(live, 'live', '/srv/app');
    expect(E.isRight(byDefault) && byDefault.right.dataDir).toBe('/srv/app/.tickflow');
  });

  it('masks the password of a URL, in the description and in an error', () => {
    const r = decodeConfig({ ...live, REDIS_URL: 'redis://ops:Hunter2@redis.local:6379/0' }, 'live');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    const printed = describeConfig(r.right).join('\n');
    expect(printed).toContain('REDIS_URL=redis://ops:****@redis.local:6379/0');
    expect(printed).not.toContain('Hunter2');
    const errors = errorsOf({ ...live, REDIS_URL: 'redis://ops:Hun@ter2@redis.local:port' });
    expect(errors).toEqual([
      'REDIS_URL: expected a URL starting with redis:// or rediss:// (got "redis://ops:****@redis.local:port")',
    ]);
  });

  it('says what is wrong with INSTRUMENTS in the same form', async () => {
    const r = decodeConfig({ ...live, INSTRUMENTS: '26000,abc' }, 'live');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(await resolveInstruments(r.right)).toEqual(
      E.left(['INSTRUMENTS: expected instrument tokens (positive integers) (got "abc")']),
    );
  });
});
