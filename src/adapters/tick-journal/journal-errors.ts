export class JournalCorrupted extends Error {
  constructor(path: string, offset: number, reason: string) {
    super(`tick journal ${path} is corrupt at byte ${offset}: ${reason}`);
    this.name = 'JournalCorrupted';
  }
}

export class JournalWriteFailed extends Error {
  constructor(cause: unknown) {
    super(`tick journal write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'JournalWriteFailed';
  }
}

export class JournalClosed extends Error {
  constructor() {
    super('tick journal is closed');
    this.name = 'JournalClosed';
  }
}
