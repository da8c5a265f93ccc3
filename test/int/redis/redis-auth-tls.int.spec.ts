import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisUnavailable } from '../../../src/adapters/redis/redis-connection.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { startLocalRedis, type LocalRedis } from '../../../src/dev/infra/local-redis.ts';
import { Inbox } from '../../contract/command-bus.contract.ts';
import { makeBus, type BusFixture } from './redis-bus-fixture.ts';

const run = promisify(execFile);
const USER_PASSWORD = 'u-s3cret-7f1c';
const DEFAULT_PASSWORD = 'd-s3cret-92ab';

/** Subscribes, publishes one command through the same bus, and returns what arrived. */
const roundTrip = async (f: BusFixture) => {
  const inbox = new Inbox();
  await f.bus.subscribe(inbox.push);
  await f.bus.publish({ type: 'StartBackfill', days: 4 });
  return inbox.take(1);
};
const expected = [{ kind: 'command', command: { type: 'StartBackfill', days: 4 } }];

const secretsIn = (f: BusFixture): string[] =>
  f.logger.records
    .map((r) => `${r.message} ${JSON.stringify(r.fields)}`)
    .filter((line) => line.includes(USER_PASSWORD) || line.includes(DEFAULT_PASSWORD));

describe('RedisCommandBus with credentials and TLS', () => {
  const root = mkdtempSync(join(tmpdir(), 'tickflow-redis-auth-'));
  const opened: BusFixture[] = [];
  const open = (...args: Parameters<typeof makeBus>): BusFixture => {
    const f = makeBus(...args);
    opened.push(f);
    return f;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((f) => f.bus.close()));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  describe('an ACL user (REDIS_USERNAME + REDIS_PASSWORD)', () => {
    let redis: LocalRedis;
    beforeAll(async () => {
      redis = await startLocalRedis({
        dir: join(root, 'acl'),
        // The default user may only PING (the readiness check); everything else needs the ACL user.
        extraArgs: [
          ...['--user', 'default', 'on', 'nopass', 'resetchannels', '-@all', '+ping'],
          ...['--user', 'tickflow', 'on', `>${USER_PASSWORD}`, '~*', '&*', '+@all'],
        ],
      });
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('subscribes and publishes as that user', async () => {
      const f = open(redis.url, { username: 'tickflow', password: USER_PASSWORD });
      expect(await roundTrip(f)).toEqual(expected);
    });

    it('takes the user and password from the URL as well', async () => {
      const url = redis.url.replace('redis://', `redis://tickflow:${encodeURIComponent(USER_PASSWORD)}@`);
      const f = open(url);
      expect(await roundTrip(f)).toEqual(expected);
    });

    it("fails with the server's reason on a wrong password, and never logs a password", async () => {
      const f = open(redis.url, {
        username: 'tickflow',
        password: `${USER_PASSWORD}-wrong`,
        timeoutMs: 2000,
      });
      const failure = f.bus.subscribe(() => undefined);
      await expect(failure).rejects.toBeInstanceOf(RedisUnavailable);
      await expect(failure).rejects.toThrow(/WRONGPASS/);
      expect(secretsIn(f)).toEqual([]);
      expect(f.logger.records.some((r) => r.fields['error']?.toString().includes('WRONGPASS'))).toBe(true);
    });

    it('cannot subscribe without credentials', async () => {
      const f = open(redis.url, { timeoutMs: 2000 });
      await expect(f.bus.subscribe(() => undefined)).rejects.toThrow(/NOPERM/);
    });
  });

  describe('a server password (REDIS_PASSWORD alone, --requirepass)', () => {
    let redis: LocalRedis;
    beforeAll(async () => {
      // startLocalRedis checks readiness with redis-cli, which takes its password from REDISCLI_AUTH.
      process.env['REDISCLI_AUTH'] = DEFAULT_PASSWORD;
      try {
        redis = await startLocalRedis({
          dir: join(root, 'pass'),
          extraArgs: ['--requirepass', DEFAULT_PASSWORD],
        });
      } finally {
        delete process.env['REDISCLI_AUTH'];
      }
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('subscribes and publishes with the password', async () => {
      const f = open(redis.url, { password: DEFAULT_PASSWORD });
      expect(await roundTrip(f)).toEqual(expected);
      expect(secretsIn(f)).toEqual([]);
    });

    it('is refused without it', async () => {
      const f = open(redis.url, { timeoutMs: 2000 });
      await expect(f.bus.subscribe(() => undefined)).rejects.toThrow(/NOAUTH/);
    });
  });

  describe('TLS (rediss://) with a private CA (REDIS_TLS_CA_FILE)', () => {
    let redis: LocalRedis;
    let tlsUrl: string;
    const pki = join(root, 'pki');
    beforeAll(async () => {
      const openssl = async (...args: string[]) => run('openssl', args, { cwd: pki });
      const { mkdirSync } = await import('node:fs');
      mkdirSync(pki, { recursive: true });
      writeFileSync(join(pki, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
      await openssl(
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '2',
        '-subj',
        '/CN=tickflow test CA',
      );
      await openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
      await openssl(
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'server.crt',
        '-days',
        '2',
        '-extfile',
        'san.ext',
      );
      const tlsPort = await freePort();
      redis = await startLocalRedis({
        dir: join(root, 'tls'),
        // The plain port stays for the readiness check; the bus uses the TLS port.
        extraArgs: [
          ...['--tls-port', String(tlsPort), '--tls-auth-clients', 'no'],
          ...['--tls-cert-file', join(pki, 'server.crt'), '--tls-key-file', join(pki, 'server.key')],
          ...['--tls-ca-cert-file', join(pki, 'ca.crt')],
        ],
      });
      tlsUrl = `rediss://127.0.0.1:${tlsPort}`;
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('connects over TLS when it trusts the CA', async () => {
      const f = open(tlsUrl, { tlsCaFile: join(pki, 'ca.crt') });
      expect(await roundTrip(f)).toEqual(expected);
    });

    it('refuses a server whose certificate it cannot verify', async () => {
      const f = open(tlsUrl, { timeoutMs: 2000 });
      await expect(f.bus.subscribe(() => undefined)).rejects.toThrow(/certificate/i);
    });

    it('fails at construction, naming the setting, when the CA file cannot be read', () => {
      expect(() => makeBus(tlsUrl, { tlsCaFile: join(pki, 'missing.crt') })).toThrow(
        /^REDIS_TLS_CA_FILE: cannot read/,
      );
    });
  });
});
