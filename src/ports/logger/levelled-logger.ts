import type { LogFields, Logger, LogLevel } from './logger.ts';

export const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The level methods every Logger has, over one `write` that subclasses give; records below
 * `minimum` never reach it.
 */
export abstract class LevelledLogger implements Logger {
  protected readonly minimum: LogLevel;

  protected constructor(minimum: LogLevel) {
    this.minimum = minimum;
  }

  protected abstract write(level: LogLevel, message: string, fields: LogFields | undefined): void;
  abstract child(fields: LogFields): Logger;

  debug(message: string, fields?: LogFields): void {
    if (this.isEnabled('debug')) this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    if (this.isEnabled('info')) this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    if (this.isEnabled('warn')) this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    if (this.isEnabled('error')) this.write('error', message, fields);
  }
  isEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.minimum];
  }
}
