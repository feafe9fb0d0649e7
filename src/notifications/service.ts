// Notifications: in-app notices for a store, users or the platform's operators, and an outbox of
// SMS/e-mail messages drained by a job through a sender. notify() may run inside another feature's
// transaction; every notice and message has a unique dedupe key, written insert-or-ignore, so an
// emission repeated by a retry, a second sweep or a second process is written exactly once.
import type { AppContext } from '../platform/context.ts';
import type { Db } from '../platform/db/db.ts';
import type { Principal } from '../platform/auth.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { NOTIFY_TARGETS_MAX, noticeText, retryDelayMs, targetKey, type NoticeFacts, type NoticeKind } from './rules.ts';
import type { OutboxSender } from './sender.ts';
import * as store from './store.ts';

export interface NotifyInput {
  kind: NoticeKind;
  /** One emission, e.g. `event:<id>:live`: the same key never writes a second time. */
  dedupeKey: string;
  /** A notice for the staff of this store. */
  storeId?: string;
  /** A notice for each of these users. */
  userIds?: string[];
  /** A notice for the platform's operators. */
  platform?: boolean;
  /** What the text says. */
  facts?: NoticeFacts;
  /** Ids the notice is about (event, offer, SKU ...), for links in the app. Never a price. */
  data?: Record<string, string | number | null>;
  sms?: Array<{ mobile: string; text: string }>;
  email?: Array<{ address: string; text: string }>;
}

/** What one notify call wrote: 0 and 0 when the emission was already written. */
export interface NotifyResult {
  notices: number;
  messages: number;
}

export interface Notice {
  id: string;
  kind: string;
  title: { zh: string; en: string };
  body: { zh: string; en: string };
  data: Record<string, string | number | null>;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationsService {
  /** Writes the notices and queues the messages of one emission, in `trx` when given. */
  notify(trx: Db | undefined, input: NotifyInput): Promise<NotifyResult>;
  /** The caller's notices, newest first: a merchant's store's, an operator's platform ones, and their own. */
  noticesFor(principal: Principal, page: { limit: number; before?: string; unreadOnly?: boolean }): Promise<{ items: Notice[]; nextCursor: string | null }>;
  /** Marks one of the caller's notices read (NOT_FOUND for another's). */
  markRead(principal: Principal, noticeId: string): Promise<Notice>;
  /** Sends the due outbox messages (a bounded batch); returns how many it tried. The job 'notifications.outbox'. */
  drainOutbox(): Promise<number>;
}

/** How long a claimed message is left to its sender before another run may take it again. */
const SEND_LEASE_MS = 60_000;

function toNotice(row: store.NoticeRow): Notice {
  return {
    id: row.id,
    kind: row.kind,
    title: { zh: row.title_zh, en: row.title_en },
    body: { zh: row.body_zh, en: row.body_en },
    data: JSON.parse(row.data_json) as Record<string, string | number | null>,
    createdAt: row.created_at,
    readAt: row.read_at,
  };
}

function readerOf(principal: Principal): store.NoticeReader {
  return { userId: principal.userId, storeId: principal.role === 'merchant' ? principal.storeId : null, readsPlatform: principal.role === 'operator' };
}

export function createNotificationsService(ctx: AppContext, sender: OutboxSender): NotificationsService {
  const { db, clock, config, log } = ctx;

  async function notify(trx: Db | undefined, input: NotifyInput): Promise<NotifyResult> {
    const executor = trx ?? db;
    const nowMs = clock.nowMs();
    const createdAt = isoUtc(nowMs);
    const text = noticeText(input.kind, input.facts ?? {});
    const dataJson = JSON.stringify(input.data ?? {});
    const notice = (audience: store.NoticeRow['audience'], storeId: string | null, userId: string | null, dedupeKey: string): store.NoticeRow => ({
      id: newId('ntc', nowMs), audience, store_id: storeId, user_id: userId, kind: input.kind,
      title_zh: text.titleZh, title_en: text.titleEn, body_zh: text.bodyZh, body_en: text.bodyEn,
      data_json: dataJson, dedupe_key: dedupeKey, created_at: createdAt, read_at: null,
    });
    const notices: store.NoticeRow[] = [];
    if (input.storeId !== undefined) notices.push(notice('store', input.storeId, null, targetKey(input.dedupeKey, { store: input.storeId })));
    for (const userId of new Set(input.userIds ?? [])) notices.push(notice('user', null, userId, targetKey(input.dedupeKey, { user: userId })));
    if (input.platform) notices.push(notice('platform', null, null, targetKey(input.dedupeKey, { platform: true })));
    const messages: store.NewOutboxRow[] = [
      ...(input.sms ?? []).map((m) => ({ channel: 'sms' as const, recipient: m.mobile, body: m.text, dedupe_key: targetKey(input.dedupeKey, { sms: m.mobile }), created_at: createdAt })),
      ...(input.email ?? []).map((m) => ({ channel: 'email' as const, recipient: m.address, body: m.text, dedupe_key: targetKey(input.dedupeKey, { email: m.address }), created_at: createdAt })),
    ];
    if (notices.length + messages.length > NOTIFY_TARGETS_MAX) throw new Error(`one notify may reach at most ${NOTIFY_TARGETS_MAX} targets, got ${notices.length + messages.length}`);
    return { notices: await store.insertNotices(executor, notices), messages: await store.insertOutbox(executor, messages) };
  }

  async function drainOutbox(): Promise<number> {
    const nowMs = clock.nowMs();
    const claimed = await store.claimDue(db, ctx.handle.dialect, isoUtc(nowMs), isoUtc(nowMs + SEND_LEASE_MS), config.limits.outboxBatchMax);
    for (const message of claimed) {
      try {
        await sender.send({ id: message.id, channel: message.channel, recipient: message.recipient, body: message.body, attempt: message.attempts });
        await store.markSent(db, message.id, isoUtc(clock.nowMs()));
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const giveUp = message.attempts >= config.limits.outboxMaxAttempts;
        log.warn({ outbox: message.id, channel: message.channel, attempts: message.attempts, giveUp, error }, 'outbox send failed');
        await store.markFailedTry(db, message.id, error, isoUtc(clock.nowMs() + retryDelayMs(message.attempts)), giveUp);
      }
    }
    return claimed.length;
  }

  ctx.jobs.addSweep('notifications.outbox', drainOutbox);

  return {
    notify,
    drainOutbox,

    async noticesFor(principal, page) {
      const limit = Math.min(page.limit, config.limits.noticesPageMax);
      const rows = await store.noticesOf(db, readerOf(principal), limit, page.before, page.unreadOnly ?? false);
      return { items: rows.map(toNotice), nextCursor: rows.length === limit ? rows[rows.length - 1]?.id ?? null : null };
    },

    async markRead(principal, noticeId) {
      const row = await store.markRead(db, readerOf(principal), noticeId, isoUtc(clock.nowMs()));
      if (!row) throw new AppError('NOT_FOUND');
      return toNotice(row);
    },
  };
}
