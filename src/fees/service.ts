// Fees: operators' discount policies on the platform fee, and the terms an event gets from them.
// termsFor is what the merchant previews before submitting and what approval freezes into the event.
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { computeTerms, type FeePolicy, type FeePolicyKind, type FeeTerms } from './rules.ts';
import * as store from './store.ts';

/** Most policies one listing returns. */
export const FEE_POLICIES_PAGE_MAX = 500;
/** Most live policies that may concern one store and channel; more is refused loudly, never cut. */
export const FEE_POLICY_CANDIDATES_MAX = 1000;

export interface NewFeePolicy {
  kind: FeePolicyKind;
  /** Required for 'store'; narrows 'category' and 'first_event' to one merchant. */
  storeId?: string;
  /** Required for 'category' (exact match with products' category). */
  category?: string;
  /** Absent: every channel. */
  channelId?: string;
  discountBp: number;
  /** ISO-8601 date-times; absent: open. */
  startsAt?: string;
  endsAt?: string;
  note?: string;
}

export interface FeePolicyView extends FeePolicy {
  note: string;
  createdBy: string;
}

/** The terms of one prospective event, with what they were computed from. */
export interface EventFeeTerms extends FeeTerms {
  storeId: string;
  channelId: string;
  skuIds: string[];
  isFirstEvent: boolean;
  /** UTC ISO-8601: policies were read as of this time. */
  computedAt: string;
}

export interface FeesService {
  createPolicy(input: NewFeePolicy, createdBy: string): Promise<FeePolicyView>;
  listPolicies(filter: { kind?: FeePolicyKind; storeId?: string; channelId?: string; includeDeleted?: boolean }): Promise<FeePolicyView[]>;
  /** Soft-deletes a live policy (NOT_FOUND otherwise); terms frozen earlier keep it. */
  deletePolicy(policyId: string, deletedBy: string): Promise<FeePolicyView>;
  /**
   * The fee terms a store's event on a channel with these SKUs gets at nowMs. NOT_FOUND for an
   * unknown store; VALIDATION_FAILED for an unknown channel or a SKU not of the store. Pass
   * exceptEventId when the event being approved already counts among the store's booked events.
   */
  termsFor(storeId: string, channelId: string, skuIds: string[], nowMs: number, options?: { exceptEventId?: string }): Promise<EventFeeTerms>;
  /** termsFor now, by the service's clock (the merchant's preview). */
  previewTerms(storeId: string, channelId: string, skuIds: string[]): Promise<EventFeeTerms>;
}

function toPolicy(row: store.FeePolicyRow): FeePolicyView {
  return {
    id: row.id,
    kind: row.kind,
    storeId: row.store_id,
    category: row.category,
    channelId: row.channel_id,
    discountBp: Number(row.discount_bp),
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
    note: row.note,
    createdBy: row.created_by,
  };
}

interface Issue {
  path: string;
  message: string;
}

function shapeIssues(input: NewFeePolicy, startsAtMs: number | null, endsAtMs: number | null): Issue[] {
  const issues: Issue[] = [];
  const category = input.category?.trim();
  if (input.kind === 'store' && input.storeId === undefined) issues.push({ path: '/storeId', message: 'required for a store policy' });
  if (input.kind === 'category' && !category) issues.push({ path: '/category', message: 'required for a category policy' });
  if (input.kind !== 'category' && input.category !== undefined) issues.push({ path: '/category', message: 'only a category policy names a category' });
  if (!Number.isSafeInteger(input.discountBp) || input.discountBp < 0 || input.discountBp > 10_000) issues.push({ path: '/discountBp', message: 'whole basis points 0..10000' });
  if (startsAtMs !== null && !Number.isFinite(startsAtMs)) issues.push({ path: '/startsAt', message: 'not a date-time' });
  if (endsAtMs !== null && !Number.isFinite(endsAtMs)) issues.push({ path: '/endsAt', message: 'not a date-time' });
  if (startsAtMs !== null && endsAtMs !== null && endsAtMs <= startsAtMs) issues.push({ path: '/endsAt', message: 'must be after startsAt' });
  return issues;
}

export function createFeesService(ctx: AppContext): FeesService {
  const { db, clock } = ctx;

  const service: FeesService = {
    previewTerms: (storeId, channelId, skuIds) => service.termsFor(storeId, channelId, skuIds, clock.nowMs()),

    async createPolicy(input, createdBy) {
      const startsAtMs = input.startsAt === undefined ? null : Date.parse(input.startsAt);
      const endsAtMs = input.endsAt === undefined ? null : Date.parse(input.endsAt);
      const issues = shapeIssues(input, startsAtMs, endsAtMs);
      if (input.storeId !== undefined && !(await store.storeExists(db, input.storeId))) issues.push({ path: '/storeId', message: 'no such store' });
      if (input.channelId !== undefined && (await store.channelFeeRateBp(db, input.channelId)) === null) issues.push({ path: '/channelId', message: 'no such channel' });
      if (issues.length > 0) throw new AppError('VALIDATION_FAILED', undefined, { issues });
      const nowMs = clock.nowMs();
      const row: store.FeePolicyRow = {
        id: newId('fpl', nowMs),
        kind: input.kind,
        store_id: input.storeId ?? null,
        category: input.kind === 'category' ? (input.category ?? '').trim() : null,
        channel_id: input.channelId ?? null,
        discount_bp: input.discountBp,
        starts_at: startsAtMs === null ? null : isoUtc(startsAtMs),
        ends_at: endsAtMs === null ? null : isoUtc(endsAtMs),
        note: input.note ?? '',
        created_by: createdBy,
        created_at: isoUtc(nowMs),
        deleted_at: null,
        deleted_by: null,
      };
      await store.insertPolicy(db, row);
      return toPolicy(row);
    },

    async listPolicies(filter) {
      const rows = await store.listPolicies(db, { ...filter, includeDeleted: filter.includeDeleted ?? false }, FEE_POLICIES_PAGE_MAX);
      return rows.map(toPolicy);
    },

    async deletePolicy(policyId, deletedBy) {
      if (!(await store.deletePolicy(db, policyId, deletedBy, isoUtc(clock.nowMs())))) throw new AppError('NOT_FOUND');
      const row = await store.findPolicy(db, policyId);
      if (!row) throw new Error(`fee policy ${policyId} vanished after its own delete`);
      return toPolicy(row);
    },

    async termsFor(storeId, channelId, skuIds, nowMs, options = {}) {
      if (!(await store.storeExists(db, storeId))) throw new AppError('NOT_FOUND');
      const uniqueSkuIds = [...new Set(skuIds)];
      const [channelFeeRateBp, categories, hadEvent, rows] = await Promise.all([
        store.channelFeeRateBp(db, channelId),
        store.categoriesOfSkus(db, storeId, uniqueSkuIds),
        store.hasEarlierEvent(db, storeId, options.exceptEventId),
        store.candidatePolicies(db, storeId, channelId, FEE_POLICY_CANDIDATES_MAX + 1),
      ]);
      const issues: Issue[] = [];
      if (channelFeeRateBp === null) issues.push({ path: '/channelId', message: 'no such channel' });
      uniqueSkuIds.forEach((skuId) => {
        if (!categories.has(skuId)) issues.push({ path: '/skuIds', message: `not a SKU of the store: ${skuId}` });
      });
      if (issues.length > 0 || channelFeeRateBp === null) throw new AppError('VALIDATION_FAILED', undefined, { issues });
      if (rows.length > FEE_POLICY_CANDIDATES_MAX) throw new Error(`more than ${FEE_POLICY_CANDIDATES_MAX} fee policies concern store ${storeId} on ${channelId}`);
      const terms = computeTerms({
        channelFeeRateBp,
        policies: rows.map(toPolicy),
        storeId,
        channelId,
        isFirstEvent: !hadEvent,
        skuCategories: uniqueSkuIds.map((id) => categories.get(id) ?? ''),
        atMs: nowMs,
      });
      return { ...terms, storeId, channelId, skuIds: uniqueSkuIds, isFirstEvent: !hadEvent, computedAt: isoUtc(nowMs) };
    },
  };
  return service;
}
