// Pure fraud rules on paid orders: one phone or one address buying one event through many
// promoters (a sign of promoters farming their own commission). No I/O, no clock reads.

export interface AddressParts {
  province?: string | undefined;
  city?: string | undefined;
  district?: string | undefined;
  detail?: string | undefined;
}

/**
 * One key per delivery address however it was typed: full-width to half-width, case, spaces and
 * punctuation dropped. The recipient's name and mobile are left out (one door, many names).
 */
export function addressKey(address: AddressParts): string {
  const text = [address.province, address.city, address.district, address.detail].map((part) => part ?? '').join('|');
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '')
    .slice(0, 300);
}

/** Whether the distinct promoters seen reach the threshold (a flag is raised once, at that point and after). */
export function isManyPromoters(distinctPromoters: number, threshold: number): boolean {
  if (!Number.isSafeInteger(threshold) || threshold < 2) throw new Error(`fraud: threshold must be an integer >= 2, got ${threshold}`);
  return distinctPromoters >= threshold;
}
