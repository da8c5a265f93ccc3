import type { SimulatorCredentials } from './simulator-options.ts';

interface CredentialField {
  readonly variable: string;
  readonly label: string;
  readonly value: (c: SimulatorCredentials) => string;
}

const FIELDS: readonly CredentialField[] = [
  { variable: 'MSTOCK_USER', label: 'user', value: (c) => c.user },
  { variable: 'MSTOCK_PASS', label: 'password', value: (c) => c.password },
  { variable: 'MSTOCK_API_KEY', label: 'api key', value: (c) => c.apiKey },
  { variable: 'MSTOCK_TOTP_SECRET', label: 'TOTP secret', value: (c) => c.totpSecret },
  { variable: 'MSTOCK_OTP', label: 'OTP', value: (c) => c.otp },
];

/**
 * What `tickflow simulate` says at start about the account it accepts. Demo values (the variables
 * in `demo`, which were unset) are printed; a value taken from the environment or `.env` may be a
 * real credential, so only its variable's name is: it never reaches the terminal or a log.
 */
export const credentialsNotice = (credentials: SimulatorCredentials, demo: readonly string[]): string[] => {
  const shown = FIELDS.filter((f) => demo.includes(f.variable));
  const hidden = FIELDS.filter((f) => !demo.includes(f.variable));
  const lines: string[] = [];
  if (shown.length > 0) {
    const values = shown.map((f) => `${f.label}=${f.value(credentials)}`).join(' ');
    lines.push(`demo credentials it accepts: ${values}`);
  }
  if (hidden.length > 0) {
    lines.push(
      `${hidden.map((f) => f.variable).join(', ')} set in the environment: the simulator accepts ` +
        `${hidden.length === 1 ? 'that value' : 'those values'} instead of the demo ones (not shown)`,
    );
  }
  return lines;
};
