import type { ServiceIdentifier } from 'inversify';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * Structured logging. The human format prints `[INFO] message`, so the seed's lines
 * (`[INFO] Connected to MStock WebSocket`) come out exactly; fields never carry secrets.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  isEnabled(level: LogLevel): boolean;
  child(fields: LogFields): Logger;
}
export const LoggerId: ServiceIdentifier<Logger> = Symbol.for('tickflow.Logger');
