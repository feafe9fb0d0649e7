// The closed list of error codes Hushsale answers with, and the one error type that carries them.
// The HTTP layer maps each code's kind to a status; nothing else decides statuses.

export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export const statusOfKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

interface CodeInfo {
  kind: ErrorKind;
  en: string;
  zh: string;
}

export const errorCodes = {
  VALIDATION_FAILED: { kind: 'invalid', en: 'The request is not valid.', zh: '请求内容无效。' },
  MALFORMED_JSON: { kind: 'invalid', en: 'The request body is not valid JSON.', zh: '请求体不是有效的 JSON。' },
  IDEMPOTENCY_KEY_REQUIRED: {
    kind: 'invalid',
    en: 'This request moves money: send an Idempotency-Key header (8-128 characters).',
    zh: '此请求涉及资金:请提供 Idempotency-Key 请求头(8-128 个字符)。',
  },
  IDEMPOTENCY_KEY_REUSED: {
    kind: 'conflict',
    en: 'This Idempotency-Key was already used with a different request.',
    zh: '该 Idempotency-Key 已用于另一个不同的请求。',
  },
  UNAUTHENTICATED: { kind: 'unauthenticated', en: 'Sign in first.', zh: '请先登录。' },
  INVALID_CREDENTIALS: { kind: 'unauthenticated', en: 'The key or code is not valid.', zh: '密钥或验证码无效。' },
  OTP_INVALID: { kind: 'unauthenticated', en: 'The code is wrong or has expired.', zh: '验证码错误或已过期。' },
  FORBIDDEN: { kind: 'forbidden', en: 'You may not do this.', zh: '您无权执行此操作。' },
  NOT_FOUND: { kind: 'not_found', en: 'Not found.', zh: '未找到。' },
  ROUTE_NOT_FOUND: { kind: 'not_found', en: 'No such route.', zh: '没有这个接口。' },
  ACCESS_INVALID: {
    kind: 'not_found',
    en: 'This link or share code is not valid.',
    zh: '该链接或口令无效。',
  },
  ACCESS_MISSING: {
    kind: 'forbidden',
    en: 'Open a promoter link or enter a share code for this event first.',
    zh: '请先通过推广链接或口令进入本场活动。',
  },
  WINDOW_NOT_OPEN: { kind: 'forbidden', en: 'The sale has not started yet.', zh: '活动尚未开始。' },
  WINDOW_CLOSED: { kind: 'gone', en: 'The sale has ended.', zh: '活动已结束。' },
  SOLD_OUT: { kind: 'conflict', en: 'Sold out.', zh: '已售罄。' },
  LIMIT_REACHED: {
    kind: 'conflict',
    en: 'You have reached the per-buyer limit for this item.',
    zh: '已达到该商品的每人限购数量。',
  },
  INSUFFICIENT_STOCK: { kind: 'conflict', en: 'Not enough free store stock.', zh: '店铺可用库存不足。' },
  PRICE_NOT_BELOW_PUBLIC: {
    kind: 'invalid',
    en: 'The clearance price must be below the public price.',
    zh: '清仓价必须低于公开售价。',
  },
  CONFLICT: { kind: 'conflict', en: 'This conflicts with the current state.', zh: '与当前状态冲突。' },
  ALREADY_EXISTS: { kind: 'conflict', en: 'It already exists.', zh: '已存在。' },
  ORDER_NOT_PAYABLE: {
    kind: 'conflict',
    en: 'This order can no longer be paid.',
    zh: '该订单已无法支付。',
  },
  PAYMENT_SIGNATURE_INVALID: {
    kind: 'invalid',
    en: 'The payment notification signature is not valid.',
    zh: '支付通知签名无效。',
  },
  PAYLOAD_TOO_LARGE: { kind: 'too_large', en: 'The request body is too large.', zh: '请求体过大。' },
  UNSUPPORTED_MEDIA_TYPE: {
    kind: 'unsupported',
    en: 'Send JSON (Content-Type: application/json).',
    zh: '请以 JSON 格式发送(Content-Type: application/json)。',
  },
  RATE_LIMITED: { kind: 'rate_limited', en: 'Too many requests; try again shortly.', zh: '请求过于频繁,请稍后再试。' },
  BUSY: { kind: 'unavailable', en: 'Too many orders are being written right now; try again in a moment.', zh: '当前下单人数过多,请稍后重试。' },
  NOT_READY: { kind: 'unavailable', en: 'The server is starting; try again shortly.', zh: '服务正在启动,请稍后再试。' },
  INTERNAL: { kind: 'internal', en: 'Something went wrong on our side.', zh: '服务器内部错误。' },
  API_KEY_LIMIT_REACHED: {
    kind: 'conflict',
    en: 'You hold the most active API keys allowed; revoke one first.',
    zh: '有效 API 密钥数量已达上限,请先吊销一个。',
  },
  DAY_TAKEN: {
    kind: 'conflict',
    en: 'That day of the channel is already held or booked by another brand.',
    zh: '该频道的这一天已被其他品牌占用或预订。',
  },
  MONTH_FULL: {
    kind: 'conflict',
    en: "The channel's event slots for that month are all taken.",
    zh: '该频道当月的活动档期已满。',
  },
  PRICE_LOCKED: {
    kind: 'conflict',
    en: 'This SKU is in a scheduled or running event: its public price cannot change until the event ends.',
    zh: '该商品正在参加已排期或进行中的活动,活动结束前不能修改公开售价。',
  },
  PRICE_GUARD_FAILED: {
    kind: 'invalid',
    en: 'A clearance price breaks a price rule (not below the public price, or below cost).',
    zh: '清仓价不符合价格规则(未低于公开售价,或低于成本)。',
  },
  APPLICATION_INVALID: {
    kind: 'invalid',
    en: 'The clearance lot cannot be submitted yet: see details.problems.',
    zh: '清仓货盘尚不能提交:请查看 details.problems。',
  },
  NO_FREE_DATE: {
    kind: 'conflict',
    en: 'None of the wished dates is free on this channel; wish other dates.',
    zh: '所选日期在该频道均已被占用,请选择其他日期。',
  },
  PROMOTER_NOT_APPROVED: {
    kind: 'forbidden',
    en: 'Your promoter account is not approved (pending review, suspended or banned).',
    zh: '您的推广者账号未获批准(审核中、已暂停或已封禁)。',
  },
  NOT_CHANNEL_MEMBER: {
    kind: 'forbidden',
    en: "You are not a member of this event's channel.",
    zh: '您不是该活动所属频道的成员。',
  },
  NOT_TEAM_LEADER: {
    kind: 'forbidden',
    en: 'Only a team leader may do this.',
    zh: '只有团长可以执行此操作。',
  },
  INVITE_INVALID: {
    kind: 'not_found',
    en: 'This invite code is not valid (unknown, revoked or used up).',
    zh: '该邀请码无效(不存在、已作废或已用完)。',
  },
  TEAM_DEPTH: {
    kind: 'conflict',
    en: 'Teams have two levels only: a team leader cannot join a team, and a team member cannot become a leader.',
    zh: '团队只有两级:团长不能加入其他团队,团队成员也不能成为团长。',
  },
  TEAM_ALREADY_JOINED: {
    kind: 'conflict',
    en: 'You are already in a team; members stay in the team they joined (no switching).',
    zh: '您已加入团队;成员不能更换团队。',
  },
  REFUND_TOO_LARGE: {
    kind: 'conflict',
    en: 'A refund cannot exceed what is left of the paid order.',
    zh: '退款金额不能超过订单剩余可退金额。',
  },
  NOTHING_TO_PAY: {
    kind: 'conflict',
    en: 'No payee has an available balance to pay out.',
    zh: '没有可结算的余额。',
  },
  STATEMENT_TOO_LARGE: {
    kind: 'invalid',
    en: 'This statement has too many orders for one file: ask for a shorter period or one event.',
    zh: '该对账单订单过多,请缩短时间范围或按活动查询。',
  },
  STREAM_LIMIT_REACHED: {
    kind: 'unavailable',
    en: 'Too many live dashboards are open right now; try again shortly.',
    zh: '当前打开的实时看板过多,请稍后再试。',
  },
  ORDER_NOT_REFUNDABLE: {
    kind: 'conflict',
    en: 'Only a paid order can be refunded.',
    zh: '只有已支付的订单可以退款。',
  },
  REFUND_QUANTITY_EXCEEDED: {
    kind: 'conflict',
    en: 'More units than are left to refund on this order (requests still open count too).',
    zh: '退款数量超过订单剩余可退数量(处理中的申请也计算在内)。',
  },
  RETURN_WINDOW_CLOSED: {
    kind: 'conflict',
    en: "The store's return window for this order has closed.",
    zh: '该订单已超过店铺的退货期限。',
  },
  REFUND_STEP_NOT_ALLOWED: {
    kind: 'conflict',
    en: 'This refund request cannot take that step in its current status.',
    zh: '该退款申请当前状态下不能执行此操作。',
  },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

/** An expected failure with a stable code. `details` must never carry a secret or a hidden price. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? errorCodes[code].en);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return statusOfKind[errorCodes[this.code].kind];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The message for a code in the caller's language (zh when Accept-Language prefers Chinese). */
export function messageFor(code: ErrorCode, language: 'en' | 'zh'): string {
  return errorCodes[code][language];
}
