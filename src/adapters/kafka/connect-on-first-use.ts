import type { FirstContact } from './first-contact.ts';
import type { KafkaLink } from './kafka-link.ts';

/** Sends one batch to one topic and resolves once Kafka acknowledged every message. */
export interface MessageSender<M> {
  send(messages: M[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A sender that meets Kafka on first use: each send first waits for the first contact (topics
 * checked, producer connected), so a send while Kafka is unreachable fails like any send in an
 * outage, and the caller's own retry-and-journal rules apply unchanged. Every outcome tells the
 * link whether Kafka answers.
 */
export class ConnectOnFirstUse<M> implements MessageSender<M> {
  private readonly inner: MessageSender<M>;
  private readonly contact: FirstContact;
  private readonly link: KafkaLink;

  constructor(inner: MessageSender<M>, contact: FirstContact, link: KafkaLink) {
    this.inner = inner;
    this.contact = contact;
    this.link = link;
  }

  async send(messages: M[]): Promise<void> {
    await this.contact.reach();
    try {
      await this.inner.send(messages);
    } catch (e) {
      this.link.unreachable();
      throw e;
    }
    this.link.answered();
  }

  async close(): Promise<void> {
    this.contact.stop();
    this.link.close();
    await this.inner.close();
  }
}
