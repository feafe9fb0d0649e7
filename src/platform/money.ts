// Money is integer fen everywhere; this is the only place that turns fen into text.
export function assertFen(amountFen: number): void {
  if (!Number.isSafeInteger(amountFen)) throw new Error(`not an integer amount of fen: ${amountFen}`);
}

/** 12345 -> "123.45" (yuan with two decimals), for display only. */
export function formatYuan(amountFen: number): string {
  assertFen(amountFen);
  const sign = amountFen < 0 ? '-' : '';
  const abs = Math.abs(amountFen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
