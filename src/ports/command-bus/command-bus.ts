import type { ServiceIdentifier } from 'inversify';
import type { SystemCommand } from '../../domain/system-command.ts';

/** A command read off the bus, or the reason a message was not one. */
export type Inbound =
  | { readonly kind: 'command'; readonly command: SystemCommand }
  | { readonly kind: 'rejected'; readonly raw: string; readonly reason: string };

export interface CommandSubscription {
  close(): Promise<void>;
}

/** Whether commands can arrive now; when not, why (shown on /readyz). */
export type CommandBusConnection =
  { readonly connected: true } | { readonly connected: false; readonly reason: string };

/**
 * Operator commands (`START_BACKFILL`) arriving from outside, decoded at the adapter. A message
 * that is not a command is handed on as `rejected`, for the subscriber to log and count.
 */
export interface CommandBus {
  subscribe(onMessage: (message: Inbound) => void): Promise<CommandSubscription>;
  publish(command: SystemCommand): Promise<void>;
  connection(): CommandBusConnection;
  close(): Promise<void>;
}
export const CommandBusId: ServiceIdentifier<CommandBus> = Symbol.for('tickflow.CommandBus');
