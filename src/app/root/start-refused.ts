/**
 * A start that cannot go on for a reason the operator can fix (a busy port, a folder in use): its
 * message is the one line shown, naming the setting at fault; no stack trace follows it.
 */
export class StartRefused extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartRefused';
  }
}
