// Where outbox messages go. A real SMS or e-mail provider implements OutboxSender; until one is
// configured the development sender writes each message to the log, its recipient masked.
import type { FastifyBaseLogger } from 'fastify';
import type { OutboxChannel } from '../platform/db/schema.ts';
import { maskMobile } from '../platform/log.ts';
import { maskEmail } from './rules.ts';

export interface OutboxMessage {
  id: number;
  channel: OutboxChannel;
  recipient: string;
  body: string;
  /** 1 on the first try. */
  attempt: number;
}

export interface OutboxSender {
  /** Resolves once the provider accepted the message; throws to have it retried later. */
  send(message: OutboxMessage): Promise<void>;
}

export function createDevSender(log: FastifyBaseLogger): OutboxSender {
  return {
    async send(message) {
      const to = message.channel === 'sms' ? maskMobile(message.recipient) : maskEmail(message.recipient);
      log.info({ outbox: message.id, channel: message.channel, to, body: message.body }, 'development sender: message not sent, logged');
    },
  };
}
