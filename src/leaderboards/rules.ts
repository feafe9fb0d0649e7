// Pure ranking: promoters ordered by paid GMV or by paid orders, ties broken so every reader sees
// the same order. No I/O.

export type RankBy = 'gmv' | 'orders';

export interface PromoterTally {
  promoterId: string;
  /** Paid orders credited to the promoter. */
  orders: number;
  /** Their totals less what was refunded, in fen. */
  gmvFen: number;
}

export interface Ranked extends PromoterTally {
  /** 1-based; equal figures share a rank (1, 2, 2, 4). */
  rank: number;
}

export function rankTallies(tallies: readonly PromoterTally[], by: RankBy): Ranked[] {
  const primary = (t: PromoterTally) => (by === 'gmv' ? t.gmvFen : t.orders);
  const secondary = (t: PromoterTally) => (by === 'gmv' ? t.orders : t.gmvFen);
  const sorted = [...tallies].sort((a, b) => primary(b) - primary(a) || secondary(b) - secondary(a) || (a.promoterId < b.promoterId ? -1 : 1));
  const out: Ranked[] = [];
  sorted.forEach((t, i) => {
    const previous = out[i - 1];
    const tied = previous !== undefined && primary(previous) === primary(t);
    out.push({ ...t, rank: tied ? previous.rank : i + 1 });
  });
  return out;
}
