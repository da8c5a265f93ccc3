import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { istDayNumber, IST_OFFSET_MS } from '../domain/ist.ts';
import { epochMs, MS_PER_DAY } from '../domain/units.ts';

export interface SimSession {
  readonly accessToken: string;
  readonly userId: string;
  readonly apiKey: string;
  readonly loginAt: number;
  readonly expiresAt: number;
}

export type SessionCheck = 'valid' | 'expired' | 'unknown';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * Access tokens that look like the broker's (a signed JWT), valid for `maxAgeMs` or until the next
 * midnight IST, whichever comes first (mstock-protocol.md, "Login"). There is no refresh.
 */
export class SessionStore {
  readonly #secret = randomBytes(32);
  readonly #sessions = new Map<string, SimSession>();
  readonly #maxAgeMs: number;

  constructor(maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
  }

  /** The expiry of a session opened at `at`: 12 h later or the next midnight IST. */
  expiryOf(at: number): number {
    const nextIstMidnight = (istDayNumber(epochMs(at)) + 1) * MS_PER_DAY - IST_OFFSET_MS;
    return Math.min(at + this.#maxAgeMs, nextIstMidnight);
  }

  open(userId: string, apiKey: string, at: number): SimSession {
    const expiresAt = this.expiryOf(at);
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({
        sub: userId,
        iat: Math.floor(at / 1000),
        exp: Math.floor(expiresAt / 1000),
        jti: randomUUID(),
      }),
    );
    const signature = createHmac('sha256', this.#secret).update(`${header}.${payload}`).digest('base64url');
    const session = {
      accessToken: `${header}.${payload}.${signature}`,
      userId,
      apiKey,
      loginAt: at,
      expiresAt,
    };
    this.#sessions.set(session.accessToken, session);
    return session;
  }

  check(apiKey: string, accessToken: string, at: number): SessionCheck {
    const s = this.#sessions.get(accessToken);
    if (s?.apiKey !== apiKey) return 'unknown';
    return at < s.expiresAt ? 'valid' : 'expired';
  }

  /** Ends one session (logout). */
  end(accessToken: string): boolean {
    return this.#sessions.delete(accessToken);
  }

  /**
   * Ends every session of `userId` (single-session mode, before a new login): they are gone as
   * after a logout, so their tokens get the unknown-token refusal. Returns the ended tokens.
   */
  endSessionsOf(userId: string): string[] {
    const ended: string[] = [];
    for (const [token, s] of this.#sessions) {
      if (s.userId !== userId) continue;
      this.#sessions.delete(token);
      ended.push(token);
    }
    return ended;
  }

  /** The expire-sessions fault: every session expires now (and is then told apart from unknown tokens). */
  expireAll(): string[] {
    const tokens: string[] = [];
    for (const [token, s] of this.#sessions) {
      if (s.expiresAt !== Number.NEGATIVE_INFINITY) tokens.push(token);
      this.#sessions.set(token, { ...s, expiresAt: Number.NEGATIVE_INFINITY });
    }
    return tokens;
  }

  /** Sessions not yet expired at `at`. */
  live(at: number): number {
    let n = 0;
    for (const s of this.#sessions.values()) if (at < s.expiresAt) n++;
    return n;
  }
}
