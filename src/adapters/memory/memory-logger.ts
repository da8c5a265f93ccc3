import type { LogFields, Logger, LogLevel } from '../../ports/logger/logger.ts';
import { LevelledLogger } from '../../ports/logger/levelled-logger.ts';

export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger that keeps what it was told, for tests to assert on (and to check no secret leaks). */
export class MemoryLogger extends LevelledLogger {
  readonly records: LogRecord[];
  private readonly base: LogFields;

  constructor(minimum: LogLevel = 'debug', records: LogRecord[] = [], base: LogFields = {}) {
    super(minimum);
    this.records = records;
    this.base = base;
  }

  protected write(level: LogLevel, message: string, fields: LogFields = {}): void {
    this.records.push({ level, message, fields: { ...this.base, ...fields } });
  }

  child(fields: LogFields): Logger {
    return new MemoryLogger(this.minimum, this.records, { ...this.base, ...fields });
  }
  /** Every line as the human format prints it: `[INFO] message`. */
  lines(): string[] {
    return this.records.map((r) => `[${r.level.toUpperCase()}] ${r.message}`);
  }
}
