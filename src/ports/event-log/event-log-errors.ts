/** A stream name that cannot be stored safely (it would escape the folder, or is not a file name). */
export class InvalidStreamName extends Error {
  readonly stream: string;
  constructor(stream: string, problem: string) {
    super(`invalid event stream name ${JSON.stringify(stream.slice(0, 80))}: ${problem}`);
    this.name = 'InvalidStreamName';
    this.stream = stream;
  }
}

/**
 * Stored data that does not read back as events: never skipped, since a plan folded from a
 * partial history would redo or skip work. `where` is the file (or storage) and `line` the line.
 */
export class EventLogCorrupted extends Error {
  readonly where: string;
  readonly line: number;
  readonly problem: string;
  constructor(where: string, line: number, problem: string) {
    super(`${where}:${line}: ${problem}`);
    this.name = 'EventLogCorrupted';
    this.where = where;
    this.line = line;
    this.problem = problem;
  }
}

/** An event that would not read back as itself (not JSON, or refused by the codec): not written. */
export class EventNotStorable extends Error {
  readonly stream: string;
  readonly index: number;
  constructor(stream: string, index: number, problem: string) {
    super(`stream ${stream}: event ${index} cannot be stored: ${problem}`);
    this.name = 'EventNotStorable';
    this.stream = stream;
    this.index = index;
  }
}

export class EventLogClosed extends Error {
  constructor() {
    super('the event log is closed');
    this.name = 'EventLogClosed';
  }
}
