// Row types of the one relational schema (see migrations/). Times are UTC ISO-8601 text,
// money is integer fen, booleans are 0/1 integers, JSON is text: the same on SQLite and PostgreSQL.
import type { Generated } from 'kysely';

export type Role = 'operator' | 'merchant' | 'promoter' | 'buyer';
/**
 * An event's life (see docs/architecture.md, Lifecycle): draft -> submitted -> scheduled -> warmup
 * -> live -> ended -> settled, or rejected / withdrawn / cancelled on the way.
 */
export type EventStatus = 'draft' | 'submitted' | 'scheduled' | 'warmup' | 'live' | 'ended' | 'settled' | 'rejected' | 'withdrawn' | 'cancelled';
export type OrderStatus = 'pending_payment' | 'paid' | 'cancelled';
export type OrderKind = 'event' | 'public';
export type AttributionMode = 'first_touch' | 'last_touch';
export type PromoterStatus = 'pending' | 'approved' | 'suspended' | 'banned';
export type PaymentStatus = 'created' | 'succeeded' | 'refund_pending' | 'refunded';

export interface SettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  role: Role;
  /** Mainland mobile number (11 digits) for promoters and buyers; null for key-only staff. */
  mobile: string | null;
  display_name: string;
  /** The store a merchant user acts for. */
  store_id: string | null;
  created_at: string;
  disabled_at: string | null;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  /** First characters of the key, shown in lists so people can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key (keys are 256-bit random, so a fast hash is enough). */
  key_hash: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

export interface OtpCodesTable {
  id: Generated<number>;
  mobile: string;
  role: Role;
  /** HMAC of the code with the server secret; the code itself is never stored. */
  code_hash: string;
  expires_at: string;
  attempts: number;
  consumed_at: string | null;
  created_at: string;
}

export interface StoresTable {
  id: string;
  slug: string;
  name: string;
  description: string;
  logo_url: string | null;
  created_at: string;
  /** Days after delivery a buyer may return without a reason (7 by default, 0..90). */
  return_days: Generated<number>;
}

export interface ProductsTable {
  id: string;
  store_id: string;
  title: string;
  description: string;
  image_url: string | null;
  /** Free text the merchant sets (e.g. "生鲜"); fee policies may discount by it. '' when unset. */
  category: string;
  created_at: string;
}

export interface SkusTable {
  id: string;
  product_id: string;
  store_id: string;
  code: string;
  /** JSON object of attribute name -> value, e.g. {"颜色":"黑","尺码":"L"}. */
  attributes_json: string;
  image_url: string | null;
  public_price_fen: number;
  /** Free store stock: what the public store can still sell (event allocations are carved out). */
  stock_units: number;
  cost_fen: number | null;
  created_at: string;
}

export interface ChannelsTable {
  id: string;
  name: string;
  vertical: string;
  created_at: string;
  description: Generated<string>;
  /** Most days held or booked per calendar month (Asia/Shanghai); 0..31. */
  monthly_slot_cap: Generated<number>;
  /** Rates in basis points (1/100 of a percent: 1500 = 15%), 0..10000. */
  default_commission_rate_bp: Generated<number>;
  min_commission_rate_bp: Generated<number>;
  platform_fee_rate_bp: Generated<number>;
  updated_at: string | null;
  /** Which promoter an order is credited to when a buyer opened several links (docs/promoters.md). */
  attribution: Generated<AttributionMode>;
  /** A team leader's override on a team member's order, bp of the order total, paid out of the platform fee. */
  leader_override_rate_bp: Generated<number>;
}

export interface ChannelPromotersTable {
  channel_id: string;
  promoter_id: string;
  joined_at: string;
}

export type CalendarDayState = 'held' | 'booked';

/** A taken day of a channel (a free day has no row); the primary key (channel_id, day) allows one. */
export interface CalendarDaysTable {
  channel_id: string;
  /** 'YYYY-MM-DD' in Asia/Shanghai. */
  day: string;
  /** 'YYYY-MM', the first seven characters of day (CHECK). */
  month: string;
  state: CalendarDayState;
  event_id: string;
  /** When a hold lapses (UTC ISO); null once booked. */
  hold_until: string | null;
  updated_at: string;
}

/** Days held or booked of a channel in a month; CHECK keeps 0 <= used <= cap. */
export interface CalendarMonthsTable {
  channel_id: string;
  /** 'YYYY-MM' in Asia/Shanghai. */
  month: string;
  used: number;
  cap: number;
}

export interface EventsTable {
  id: string;
  store_id: string;
  channel_id: string;
  title: string;
  starts_at: string;
  ends_at: string;
  status: EventStatus;
  /** When unsold allocation went back to store stock (set once, at the end). */
  allocation_returned_at: string | null;
  created_at: string;
  /** Promoter commission of an event approved from an application (basis points). */
  commission_rate_bp: number | null;
  /** The fee terms frozen at approval (JSON of EventFeeTerms). */
  terms_json: string | null;
}

export interface OffersTable {
  id: string;
  event_id: string;
  sku_id: string;
  clearance_price_fen: number;
  /** Units carved out of store stock for this event. */
  allocated_units: number;
  /** Units held by pending orders or sold; CHECK keeps it within 0..allocated_units. */
  reserved_units: number;
  /** allocated_units as it was before the event's end gave unsold units back (set then; null before; migration 0012). */
  initial_allocated_units?: number | null;
  per_buyer_limit: number;
  is_hero: number;
  position: number;
}

export interface BuyerHoldingsTable {
  offer_id: string;
  buyer_id: string;
  /** Units this buyer holds of the offer (pending or paid); CHECK keeps it <= limit_units. */
  units: number;
  limit_units: number;
}

export interface PromoterLinksTable {
  id: string;
  event_id: string;
  promoter_id: string;
  share_code: string;
  created_at: string;
  revoked_at: string | null;
}

export interface OrdersTable {
  id: Generated<number>;
  store_id: string;
  buyer_id: string;
  kind: OrderKind;
  event_id: string | null;
  offer_id: string | null;
  sku_id: string;
  promoter_id: string | null;
  link_id: string | null;
  quantity: number;
  unit_price_fen: number;
  total_fen: number;
  status: OrderStatus;
  pay_deadline: string;
  /** JSON of the shipping address (name, mobile, province, city, district, detail). */
  address_json: string;
  created_at: string;
  paid_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  /** The Idempotency-Key of the request that made the order. */
  request_key: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
  carrier: string | null;
  tracking_no: string | null;
  /** Fen refunded so far (partial refunds add up; never above total_fen). */
  refunded_fen: Generated<number>;
  /** A normalised key of the shipping address (fraud checks: one address, many promoters). */
  address_key: string | null;
  /** When the order's money left the hold (return window closed) or it was fully refunded first (migration 0010). */
  released_at: Generated<string | null>;
  /** 1 when the buyer consented at checkout to join the store's membership (never by default). */
  join_membership: Generated<number>;
  /** Set when paid: 1 when the store had no order from this buyer in the 365 days before; null before payment. */
  is_new_customer: number | null;
  /** Units refunded so far (partial refunds by quantity); never above quantity. */
  refunded_units: Generated<number>;
  /** Units claimed by refund requests, open or done (migration 0014); refunded_units <= claimed_units <= quantity. */
  claimed_units: Generated<number>;
}

export interface PaymentsTable {
  id: string;
  order_id: number;
  provider: string;
  provider_ref: string | null;
  amount_fen: number;
  status: PaymentStatus;
  created_at: string;
  succeeded_at: string | null;
  refunded_at: string | null;
  /** Why a payment was refunded without a buyer asking (e.g. it arrived after the order was cancelled). */
  note: string | null;
}

export interface SandboxPaymentsTable {
  id: string;
  merchant_ref: string;
  amount_fen: number;
  description: string;
  notify_url: string;
  status: 'awaiting' | 'paid' | 'refunded' | 'closed';
  created_at: string;
  paid_at: string | null;
  refunded_fen: number;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_json: string;
  created_at: string;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload_json: string;
  run_at: string;
  attempts: number;
  locked_until: string | null;
  done_at: string | null;
  last_error: string | null;
  created_at: string;
}

/** One public price a SKU has had, from effective_from until the next row's (invariant 7's record). */
export interface SkuPriceHistoryTable {
  id: Generated<number>;
  sku_id: string;
  price_fen: number;
  effective_from: string;
  /** The user who set it; null for rows backfilled by a migration. */
  changed_by: string | null;
  reason: string;
  /** 1 when an operator changed the price while an event locked it. */
  operator_override: number;
}

export type FeePolicyKind = 'store' | 'category' | 'first_event';

/** A discount on the platform fee, set by an operator; soft-deleted so past terms stay explained. */
export interface FeePoliciesTable {
  id: string;
  kind: FeePolicyKind;
  store_id: string | null;
  category: string | null;
  /** null: every channel. */
  channel_id: string | null;
  /** Share of the fee waived, 0..10000 basis points. */
  discount_bp: number;
  starts_at: string | null;
  ends_at: string | null;
  note: string;
  created_by: string;
  created_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
}

/** One status change of an event, written in the transaction that made it. */
export interface EventTransitionsTable {
  id: Generated<number>;
  event_id: string;
  from_status: EventStatus;
  to_status: EventStatus;
  /** When it was applied. */
  at: string;
  /** When it was due (the scheduler's moves): well before `at` after a catch-up; null for a person's action. */
  due_at: string | null;
  /** 'scheduler' or the id of the user who made it. */
  by: string;
}

export type NoticeAudience = 'store' | 'user' | 'platform';

/** An in-app notice for a store's staff, one user, or the platform's operators. */
export interface NoticesTable {
  id: string;
  audience: NoticeAudience;
  store_id: string | null;
  user_id: string | null;
  kind: string;
  title_zh: string;
  title_en: string;
  body_zh: string;
  body_en: string;
  /** JSON object of ids the notice is about; never a clearance price. */
  data_json: string;
  /** UNIQUE: the same notice is written once however many processes emit it. */
  dedupe_key: string;
  created_at: string;
  read_at: string | null;
}

export type OutboxChannel = 'sms' | 'email';
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A message for an SMS or e-mail sender, drained by the notifications job. */
export interface OutboxTable {
  id: Generated<number>;
  channel: OutboxChannel;
  recipient: string;
  body: string;
  dedupe_key: string;
  status: OutboxStatus;
  attempts: number;
  /** Also the lease while a send is in flight. */
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface EventApplicationsTable {
  /** The id the event gets at approval (evt_...). */
  id: string;
  store_id: string;
  channel_id: string;
  title: string;
  /** JSON array of 'YYYY-MM-DD' days (Asia/Shanghai), in order of preference. */
  wished_dates_json: string;
  /** 'HH:MM' Asia/Shanghai; an end at or before the start is on the next day. */
  window_start: string;
  window_end: string;
  commission_rate_bp: number;
  /** JSON array of the lot's offers (skuId, clearancePriceFen, allocatedUnits, perBuyerLimit, isHero). */
  offers_json: string;
  status: 'draft' | 'submitted' | 'scheduled' | 'rejected' | 'withdrawn' | 'cancelled';
  held_day: string | null;
  hold_expires_at: string | null;
  scheduled_day: string | null;
  reject_reason: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  decided_at: string | null;
  decided_by: string | null;
}

/** A promoter's side of their account: vetting status, profile, team. */
export interface PromoterProfilesTable {
  user_id: string;
  status: PromoterStatus;
  status_reason: string | null;
  wechat_id: string | null;
  audience_size: Generated<number>;
  /** JSON array of channel ids the promoter asked to join. */
  channels_wished_json: Generated<string>;
  /** 1 for a team leader (团长); CHECK: a leader has no leader (two levels, never deeper). */
  is_leader: Generated<number>;
  leader_id: string | null;
  /** The invite code the promoter joined their team with. */
  invite_code: string | null;
  /** When the promoter joined their team (migration 0008). */
  team_joined_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PromoterStatusChangesTable {
  id: Generated<number>;
  promoter_id: string;
  from_status: PromoterStatus;
  to_status: PromoterStatus;
  reason: string;
  by: string;
  at: string;
}

export interface PromoterInvitesTable {
  code: string;
  leader_id: string;
  max_uses: number | null;
  uses: Generated<number>;
  created_at: string;
  revoked_at: string | null;
}

export interface EventCopyTemplatesTable {
  id: string;
  event_id: string;
  title: string;
  /** Text with {variables} (see sharekit/rules.ts). */
  body: string;
  position: Generated<number>;
  created_by: string;
  created_at: string;
  deleted_at: string | null;
}

export type FraudFlagKind = 'self_purchase' | 'many_promoters_phone' | 'many_promoters_address';

export interface FraudFlagsTable {
  id: Generated<number>;
  kind: FraudFlagKind;
  event_id: string | null;
  order_id: number | null;
  promoter_id: string | null;
  buyer_id: string | null;
  detail_json: Generated<string>;
  dedupe_key: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

/** One business fact of the ledger (an order paid, a refund, a release, a payout); append-only. */
export interface LedgerEntriesTable {
  id: Generated<number>;
  kind: string;
  /** UNIQUE: a fact is recorded once however often it is reported. */
  dedupe_key: string;
  order_id: number | null;
  event_id: string | null;
  store_id: string | null;
  memo: Generated<string>;
  created_at: string;
}

/** One leg of an entry; an entry's postings sum to zero. Positive: the account's owner is owed more. */
export interface LedgerPostingsTable {
  id: Generated<number>;
  entry_id: number;
  /** e.g. 'merchant:<storeId>:pending' (see ledger/rules.ts). */
  account: string;
  owner_id: string | null;
  amount_fen: number;
  created_at: string;
}

export type PayeeKind = 'promoter' | 'merchant';
export type PayoutBatchStatus = 'created' | 'submitted' | 'paid' | 'failed';

export interface PayoutBatchesTable {
  id: string;
  payee_kind: PayeeKind;
  provider: string;
  status: PayoutBatchStatus;
  total_fen: number;
  item_count: number;
  provider_ref: string | null;
  created_by: string;
  created_at: string;
  submitted_at: string | null;
  paid_at: string | null;
}

export interface PayoutItemsTable {
  id: string;
  batch_id: string;
  /** A promoter's user id or a merchant's store id. */
  payee_id: string;
  amount_fen: number;
  status: 'pending' | 'paid' | 'failed';
  failure_reason: string | null;
  paid_at: string | null;
}

export interface SandboxPayoutsTable {
  id: string;
  merchant_ref: string;
  total_fen: number;
  item_count: number;
  status: 'submitted' | 'paid';
  created_at: string;
  paid_at: string | null;
}

/** The split of one paid order, written once beside its 'order_paid' ledger entry (see ledger/rules.ts). */
export interface LedgerOrderPartsTable {
  order_id: number;
  store_id: string;
  event_id: string | null;
  /** The promoter the order is credited to (null: a public-store order). */
  promoter_id: string | null;
  /** Their team leader when an override was owed (null otherwise). */
  leader_id: string | null;
  total_fen: number;
  commission_fen: number;
  /** Paid out of fee_fen. */
  override_fen: number;
  /** The platform fee charged (after the event's discount), override included. */
  fee_fen: number;
  /** The fee at the channel's base rate, before any discount. */
  fee_gross_fen: number;
  merchant_fen: number;
  commission_rate_bp: number;
  fee_rate_bp: number;
  override_rate_bp: number;
  paid_at: string;
}

/** One row per payee kind; a payout batch updates it first, so batch creations run one at a time. */
export interface PayoutGuardsTable {
  payee_kind: PayeeKind;
  last_batch_id: string | null;
  updated_at: string | null;
}

/** A buyer who joined a store's membership (with consent), and where they came from. */
export interface StoreMembersTable {
  store_id: string;
  buyer_id: string;
  joined_at: string;
  source_order_id: number | null;
  source_event_id: string | null;
  source_promoter_id: string | null;
}

export type RefundKind = 'before_shipping' | 'return';
export type RefundStatus = 'requested' | 'approved' | 'rejected' | 'returned' | 'refunding' | 'refunded' | 'cancelled';

/** A buyer's refund (before shipping) or return (after), for some units of one order. */
export interface RefundRequestsTable {
  id: string;
  order_id: number;
  store_id: string;
  buyer_id: string;
  kind: RefundKind;
  status: RefundStatus;
  quantity: number;
  amount_fen: number;
  reason: string;
  decision_reason: string | null;
  return_carrier: string | null;
  return_tracking_no: string | null;
  created_at: string;
  updated_at: string;
  refunded_at: string | null;
  /** The buyer's Idempotency-Key of the request that made it; unique per buyer (migration 0014). */
  request_key: string | null;
}

/** The sandbox provider's refunds, once per refund id (migration 0014). */
export interface SandboxRefundsTable {
  refund_id: string;
  sandbox_payment_id: string;
  amount_fen: number;
  reason: string;
  created_at: string;
}

/** A buyer's rating and words on a delivered order's product; never the price or the event. */
export interface ReviewsTable {
  id: Generated<number>;
  order_id: number;
  store_id: string;
  product_id: string;
  sku_id: string;
  buyer_id: string;
  rating: number;
  body: string;
  created_at: string;
  hidden_at: string | null;
}

export interface Database {
  store_members: StoreMembersTable;
  refund_requests: RefundRequestsTable;
  reviews: ReviewsTable;
  ledger_order_parts: LedgerOrderPartsTable;
  payout_guards: PayoutGuardsTable;
  promoter_profiles: PromoterProfilesTable;
  promoter_status_changes: PromoterStatusChangesTable;
  promoter_invites: PromoterInvitesTable;
  event_copy_templates: EventCopyTemplatesTable;
  fraud_flags: FraudFlagsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_postings: LedgerPostingsTable;
  payout_batches: PayoutBatchesTable;
  payout_items: PayoutItemsTable;
  sandbox_payouts: SandboxPayoutsTable;
  event_applications: EventApplicationsTable;
  settings: SettingsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  otp_codes: OtpCodesTable;
  stores: StoresTable;
  products: ProductsTable;
  skus: SkusTable;
  channels: ChannelsTable;
  channel_promoters: ChannelPromotersTable;
  calendar_days: CalendarDaysTable;
  calendar_months: CalendarMonthsTable;
  events: EventsTable;
  offers: OffersTable;
  buyer_holdings: BuyerHoldingsTable;
  promoter_links: PromoterLinksTable;
  orders: OrdersTable;
  payments: PaymentsTable;
  sandbox_payments: SandboxPaymentsTable;
  sandbox_refunds: SandboxRefundsTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  sku_price_history: SkuPriceHistoryTable;
  fee_policies: FeePoliciesTable;
  event_transitions: EventTransitionsTable;
  notices: NoticesTable;
  outbox: OutboxTable;
}
