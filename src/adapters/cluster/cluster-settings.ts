/** The cluster's settings (CLUSTER_GROUP, CLUSTER_TOPIC, CLUSTER_SHARDS, CLUSTER_SESSION_TIMEOUT_MS), decoded by the root. */
export interface ClusterSettings {
  readonly group: string;
  readonly topic: string;
  readonly shards: number;
  /** Kafka's classic-protocol session timeout: a member silent this long is dropped and its shards move. */
  readonly sessionTimeoutMs: number;
}

/** Why the cluster cannot work as configured: the message names the settings to change. */
export class ClusterRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterRefused';
  }
}
