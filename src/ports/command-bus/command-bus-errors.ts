/** The bus was closed; it takes no more subscriptions or commands. */
export class CommandBusClosed extends Error {
  constructor() {
    super('the command bus is closed');
    this.name = 'CommandBusClosed';
  }
}

/** A command this side refuses to send, because the receiving side would reject it. */
export class InvalidCommand extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`invalid command: ${reason}`);
    this.name = 'InvalidCommand';
    this.reason = reason;
  }
}
