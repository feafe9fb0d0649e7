// Pure channel decisions: the terms a channel may carry. Rates are integer basis points
// (1/100 of a percent: 1500 = 15%); the slot cap counts days per calendar month.

/** Terms a new channel gets when the operator leaves them out. */
export const CHANNEL_DEFAULTS = {
  description: '',
  /** Every day of the longest month: no cap beyond one brand a day. */
  monthlySlotCap: 31,
  defaultCommissionRateBp: 1000,
  minCommissionRateBp: 500,
  platformFeeRateBp: 600,
  /** A team leader's override: 1% of a team member's order, paid out of the platform fee. */
  leaderOverrideRateBp: 100,
  /** The link opened last is credited (what buyers' chats usually mean: the latest share won them). */
  attribution: 'last_touch',
} as const;

export const ATTRIBUTION_MODES = ['first_touch', 'last_touch'] as const;
export type AttributionMode = (typeof ATTRIBUTION_MODES)[number];

/** 100% in basis points. */
export const BP_MAX = 10_000;
/** A month has at most 31 days, so a higher cap would mean nothing. */
export const MONTHLY_SLOT_CAP_MAX = 31;

export interface ChannelTerms {
  monthlySlotCap: number;
  defaultCommissionRateBp: number;
  minCommissionRateBp: number;
  platformFeeRateBp: number;
  leaderOverrideRateBp: number;
}

export interface Issue {
  path: string;
  message: string;
}

/** Whole numbers in range, and a default commission no lower than the minimum. */
export function checkChannelTerms(terms: ChannelTerms): Issue[] {
  const issues: Issue[] = [];
  const inRange = (path: string, value: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < 0 || value > max) issues.push({ path, message: `a whole number from 0 to ${max}` });
  };
  inRange('/monthlySlotCap', terms.monthlySlotCap, MONTHLY_SLOT_CAP_MAX);
  inRange('/defaultCommissionRateBp', terms.defaultCommissionRateBp, BP_MAX);
  inRange('/minCommissionRateBp', terms.minCommissionRateBp, BP_MAX);
  inRange('/platformFeeRateBp', terms.platformFeeRateBp, BP_MAX);
  inRange('/leaderOverrideRateBp', terms.leaderOverrideRateBp, BP_MAX);
  if (issues.length === 0 && terms.defaultCommissionRateBp < terms.minCommissionRateBp) {
    issues.push({ path: '/defaultCommissionRateBp', message: 'must not be below minCommissionRateBp' });
  }
  return issues;
}
