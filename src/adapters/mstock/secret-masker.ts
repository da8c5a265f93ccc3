const MASK = '***';

/**
 * Removes known secrets (password, TOTP secret, OTP, API key, access tokens) from any text before
 * it reaches an error message or a log line. A secret is masked as written and in its
 * percent-encoded and form-encoded forms, since URLs and bodies carry it that way.
 */
export class SecretMasker {
  private readonly forms = new Set<string>();

  constructor(secrets: readonly (string | undefined)[] = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers one more secret, e.g. an access token just received. */
  add(secret: string | undefined): void {
    if (secret === undefined || secret === '') return;
    const encoded = encodeURIComponent(secret);
    for (const form of [secret, encoded, encoded.replaceAll('%20', '+')]) this.forms.add(form);
  }

  mask(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const form of [...this.forms].sort((a, b) => b.length - a.length)) {
      out = out.replaceAll(form, MASK);
    }
    return out;
  }
}
