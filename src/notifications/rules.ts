// Pure rules of notifications: what each kind of notice says (zh-CN and English), the dedupe keys
// that make a notice or message exactly-once, and how a failed send backs off.
import { showShanghai } from '../platform/clock.ts';

/**
 * Kinds of notice. The application flow emits the first three; the lifecycle and checkout the next
 * four; after-sales the return and refund ones; fraud checks 'fraud_flag' to the operators.
 */
export const NOTICE_KINDS = [
  'submitted', 'approved', 'rejected', 'warmup', 'live', 'ended', 'sold_out',
  'return_requested', 'return_approved', 'return_rejected', 'return_shipped', 'refunded', 'fraud_flag',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** What a notice's text may mention. Never a clearance price: notices are not access. */
export interface NoticeFacts {
  eventTitle?: string;
  storeName?: string;
  /** UTC ISO-8601; shown in Asia/Shanghai. */
  startsAt?: string;
  endsAt?: string;
  productTitle?: string;
  skuCode?: string;
  /** Why an application or a return was refused, as its reviewer wrote it; or a buyer's reason for a return. */
  reason?: string;
  /** Units of a return or refund. */
  quantity?: number;
  /** What a fraud flag is about (its kind, e.g. many_promoters_phone). */
  flagKind?: string;
}

export interface NoticeText {
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
}

/** Most targets (users + messages) one notify call may write: a notify is part of someone's transaction. */
export const NOTIFY_TARGETS_MAX = 1000;

export function noticeText(kind: NoticeKind, facts: NoticeFacts): NoticeText {
  const title = facts.eventTitle ?? '';
  const store = facts.storeName ? `【${facts.storeName}】` : '';
  const startsAt = facts.startsAt ? showShanghai(facts.startsAt) : '';
  const endsAt = facts.endsAt ? showShanghai(facts.endsAt) : '';
  switch (kind) {
    case 'submitted':
      return { titleZh: '新的品牌日申请', titleEn: 'New brand-day application', bodyZh: `${store}${title} 已提交审核。`, bodyEn: `${store}${title} was submitted for review.` };
    case 'approved':
      return { titleZh: '品牌日申请已通过', titleEn: 'Brand-day application approved', bodyZh: `${title} 已排期,开场时间 ${startsAt}(北京时间)。`, bodyEn: `${title} is scheduled to start at ${startsAt} (Beijing time).` };
    case 'rejected':
      return { titleZh: '品牌日申请未通过', titleEn: 'Brand-day application rejected', bodyZh: `${title} 未通过审核${facts.reason ? `:${facts.reason}` : '。'}`, bodyEn: `${title} was rejected${facts.reason ? `: ${facts.reason}` : '.'}` };
    case 'warmup':
      return { titleZh: '活动进入预热', titleEn: 'Event warm-up started', bodyZh: `${title} 进入预热,推广者可以领取链接和口令;${startsAt} 开场。`, bodyEn: `${title} is in warm-up: promoters can get links and share codes. It opens at ${startsAt}.` };
    case 'live':
      return { titleZh: '活动已开场', titleEn: 'Event is live', bodyZh: `${title} 已开场,${endsAt} 结束。`, bodyEn: `${title} is live until ${endsAt}.` };
    case 'ended':
      return { titleZh: '活动已结束', titleEn: 'Event ended', bodyZh: `${title} 已结束,未售出的库存已退回店铺。`, bodyEn: `${title} has ended; unsold units went back to store stock.` };
    case 'return_requested':
      return { titleZh: '新的退货申请', titleEn: 'New return request', bodyZh: `${facts.productTitle ?? ''} ×${facts.quantity ?? 0} 申请退货${facts.reason ? `:${facts.reason}` : ''},请审核。`, bodyEn: `A buyer asks to return ${facts.productTitle ?? ''} ×${facts.quantity ?? 0}${facts.reason ? `: ${facts.reason}` : ''}. Please review.` };
    case 'return_approved':
      return { titleZh: '退货申请已同意', titleEn: 'Return approved', bodyZh: `${facts.productTitle ?? ''} 的退货已同意,请寄回商品并填写快递单号。`, bodyEn: `Your return of ${facts.productTitle ?? ''} was approved: send it back and enter the tracking number.` };
    case 'return_rejected':
      return { titleZh: '退货申请未通过', titleEn: 'Return rejected', bodyZh: `${facts.productTitle ?? ''} 的退货未通过${facts.reason ? `:${facts.reason}` : '。'}`, bodyEn: `Your return of ${facts.productTitle ?? ''} was rejected${facts.reason ? `: ${facts.reason}` : '.'}` };
    case 'return_shipped':
      return { titleZh: '买家已寄回商品', titleEn: 'Return on its way', bodyZh: `${facts.productTitle ?? ''} ×${facts.quantity ?? 0} 已寄回,收到后请确认收货以退款。`, bodyEn: `${facts.productTitle ?? ''} ×${facts.quantity ?? 0} is on its way back; confirm receipt to refund.` };
    case 'refunded':
      return { titleZh: '退款已完成', titleEn: 'Refund paid', bodyZh: `${facts.productTitle ?? ''} ×${facts.quantity ?? 0} 的退款已原路退回。`, bodyEn: `The refund for ${facts.productTitle ?? ''} ×${facts.quantity ?? 0} went back to how you paid.` };
    case 'fraud_flag':
      return { titleZh: '可疑订单提醒', titleEn: 'Fraud flag raised', bodyZh: `${title ? `${title}:` : ''}${facts.flagKind ?? ''},请在风控列表中核查。`, bodyEn: `${title ? `${title}: ` : ''}${facts.flagKind ?? ''}; review it in the fraud flags.` };
    case 'sold_out': {
      const item = `${facts.productTitle ?? ''}${facts.skuCode ? ` (${facts.skuCode})` : ''}`;
      return { titleZh: '活动商品已抢光', titleEn: 'An offer sold out', bodyZh: `${title ? `${title}:` : ''}${item} 的活动库存已全部被抢。`, bodyEn: `${title ? `${title}: ` : ''}every allocated unit of ${item} is taken.` };
    }
  }
}

/** The unique key of one notice or message of an emission: one emission, one row per target. */
export function targetKey(dedupeKey: string, target: { store: string } | { user: string } | { platform: true } | { sms: string } | { email: string }): string {
  if ('store' in target) return `${dedupeKey}#store:${target.store}`;
  if ('user' in target) return `${dedupeKey}#user:${target.user}`;
  if ('sms' in target) return `${dedupeKey}#sms:${target.sms}`;
  if ('email' in target) return `${dedupeKey}#email:${target.email}`;
  return `${dedupeKey}#platform`;
}

/** Wait before the next try of a message that failed `attempts` times: 10 s, 20 s, 40 s ... at most 15 min. */
export function retryDelayMs(attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 20));
  return Math.min(15 * 60_000, 10_000 * 2 ** exponent);
}

/** someone@example.com -> s***@example.com: what a log may show of an e-mail address. */
export function maskEmail(address: string): string {
  const at = address.indexOf('@');
  return at > 0 ? `${address[0]}***${address.slice(at)}` : '***';
}
