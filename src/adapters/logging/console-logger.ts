import type { LogFields, Logger, LogLevel } from '../../ports/logger/logger.ts';
import { LevelledLogger } from '../../ports/logger/levelled-logger.ts';

export type LogFormat = 'human' | 'json';

const TAG: Readonly<Record<LogLevel, string>> = {
  debug: '[DEBUG]',
  info: '[INFO]',
  warn: '[WARN]',
  error: '[ERROR]',
};

export interface LineWriter {
  write(line: string): void;
}

const renderFields = (fields: LogFields): string => {
  let out = '';
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined) continue;
    out += ` ${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`;
  }
  return out;
};

/**
 * Writes one line per record. The human format starts with the level tag, so the lines operators
 * grep for come out exactly: `[INFO] Connected to MStock WebSocket`. The JSON format is one object
 * per line with `time`, `level`, `msg` and the fields.
 */
export class ConsoleLogger extends LevelledLogger {
  private readonly format: LogFormat;
  private readonly out: LineWriter;
  private readonly base: LogFields;
  private readonly now: () => number;

  constructor(options: {
    readonly level: LogLevel;
    readonly format: LogFormat;
    readonly out?: LineWriter;
    readonly base?: LogFields;
    readonly now?: () => number;
  }) {
    super(options.level);
    this.format = options.format;
    this.out = options.out ?? process.stdout;
    this.base = options.base ?? {};
    this.now = options.now ?? Date.now;
  }

  protected write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    const all = fields === undefined ? this.base : { ...this.base, ...fields };
    if (this.format === 'json') {
      this.out.write(
        `${JSON.stringify({ time: new Date(this.now()).toISOString(), level, msg: message, ...all })}\n`,
      );
    } else {
      this.out.write(`${TAG[level]} ${message}${renderFields(all)}\n`);
    }
  }

  child(fields: LogFields): Logger {
    return new ConsoleLogger({
      level: this.minimum,
      format: this.format,
      out: this.out,
      base: { ...this.base, ...fields },
      now: this.now,
    });
  }
}
