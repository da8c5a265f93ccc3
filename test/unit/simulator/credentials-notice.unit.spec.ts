import { describe, expect, it } from 'vitest';
import { credentialsNotice } from '../../../src/simulator/credentials-notice.ts';
import { credentialsFromEnv, DEMO_CREDENTIALS } from '../../../src/simulator/simulator-options.ts';

const SECRETS = {
  MSTOCK_USER: 'alice',
  MSTOCK_PASS: 'pass-S3cr3t-9f1c',
  MSTOCK_API_KEY: 'key-S3cr3t-77ab',
  MSTOCK_TOTP_SECRET: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
  MSTOCK_OTP: '987654',
};

const noticeFor = (env: Record<string, string>): string => {
  const { credentials, demo } = credentialsFromEnv(env);
  return credentialsNotice(credentials, demo).join('\n');
};

describe('simulator credentials notice', () => {
  it('prints every demo value when nothing is set', () => {
    expect(noticeFor({})).toBe(
      `demo credentials it accepts: user=${DEMO_CREDENTIALS.user} password=${DEMO_CREDENTIALS.password} ` +
        `api key=${DEMO_CREDENTIALS.apiKey} TOTP secret=${DEMO_CREDENTIALS.totpSecret} OTP=${DEMO_CREDENTIALS.otp}`,
    );
  });

  it('names the variables set in the environment and never prints their values', () => {
    const text = noticeFor({ MSTOCK_PASS: SECRETS.MSTOCK_PASS, MSTOCK_API_KEY: SECRETS.MSTOCK_API_KEY });
    expect(text).toContain('user=demo');
    expect(text).toContain(`TOTP secret=${DEMO_CREDENTIALS.totpSecret}`);
    expect(text).not.toContain('password=');
    expect(text).not.toContain('api key=');
    expect(text).toContain('MSTOCK_PASS, MSTOCK_API_KEY set in the environment');
    expect(text).not.toContain(SECRETS.MSTOCK_PASS);
    expect(text).not.toContain(SECRETS.MSTOCK_API_KEY);
  });

  it('prints no value at all when every variable is set', () => {
    const text = noticeFor(SECRETS);
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
    expect(text).not.toContain('demo credentials');
    expect(text).toContain('MSTOCK_USER, MSTOCK_PASS, MSTOCK_API_KEY, MSTOCK_TOTP_SECRET, MSTOCK_OTP set');
  });
});
