import type { LogFields, Logger, LogLevel } from '../../ports/logger.ts';

export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger that keeps what it was told, for tests to assert on (and to check no secret leaks). */
export class MemoryLogger implements Logger {
  readonly records: LogRecord[];
  private readonly base: LogFields;
  private readonly minimum: LogLevel;

  constructor(minimum: LogLevel = 'debug', records: LogRecord[] = [], base: LogFields = {}) {
    this.minimum = minimum;
    this.records = records;
    this.base = base;
  }

  private write(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (this.isEnabled(level)) this.records.push({ level, message, fields: { ...this.base, ...fields } });
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }
  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.minimum];
  }
  child(fields: LogFields): Logger {
    return new MemoryLogger(this.minimum, this.records, { ...this.base, ...fields });
  }
  /** Every line as the human format prints it: `[INFO] message`. */
  lines(): string[] {
    return this.records.map((r) => `[${r.level.toUpperCase()}] ${r.message}`);
  }
}
