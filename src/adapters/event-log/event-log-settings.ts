/** Where event streams are kept; the config module decodes the environment into this. */
export interface EventLogSettings {
  /** `file`: NDJSON files in `dir` (the default); `kafka`: one topic, single writer. */
  readonly kind: 'file' | 'kafka';
  readonly dir: string;
  readonly topic: string;
}

/** Environment names and defaults, for the config module (the one place defaults are decoded). */
export const EVENT_LOG_ENV = {
  kind: 'EVENT_LOG',
  dir: 'EVENT_LOG_DIR',
  topic: 'EVENT_LOG_TOPIC',
} as const satisfies Record<keyof EventLogSettings, string>;

export const EVENT_LOG_DEFAULTS: EventLogSettings = {
  kind: 'file',
  dir: '.tickflow/events',
  topic: 'tickflow_events',
};
