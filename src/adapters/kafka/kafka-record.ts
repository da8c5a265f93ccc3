/**
 * A record as either Kafka client takes it: the key that picks the partition (Java-compatible
 * murmur2, so one key keeps one partition whichever client sends it), the UTF-8 value and string
 * headers. Both clients' drivers send it as it is, so the tick path builds one object per tick.
 */
export interface KafkaRecord {
  readonly key: string;
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}
