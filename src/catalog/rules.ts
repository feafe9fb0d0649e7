// Pure catalog decisions: what a new product may hold, what the public may see of a SKU, how a
// search query becomes a pattern. No I/O, no clock.

export interface NewSkuInput {
  code: string;
  attributes: Record<string, string>;
  imageUrl?: string;
  publicPriceFen: number;
  stockUnits: number;
  costFen?: number;
}

export interface NewProductInput {
  title: string;
  description?: string;
  imageUrl?: string;
  /** Free text such as "生鲜"; fee policies may discount by it. */
  category?: string;
  skus: NewSkuInput[];
}

/** What PATCH of a product may change. */
export interface ProductChange {
  title?: string;
  description?: string;
  category?: string;
}

/** One reason an input is refused, in the same shape the HTTP layer gives schema failures. */
export interface Issue {
  path: string;
  message: string;
}

/** Longest search query accepted, in characters. */
export const SEARCH_QUERY_MAX_CHARS = 64;

/** What the schema cannot say: SKU codes unique within the product, amounts whole, the SKU cap. */
export function checkNewProduct(input: NewProductInput, maxSkusPerProduct: number): Issue[] {
  const issues: Issue[] = [];
  if (input.skus.length === 0) issues.push({ path: '/skus', message: 'a product needs at least one SKU' });
  if (input.skus.length > maxSkusPerProduct) issues.push({ path: '/skus', message: `at most ${maxSkusPerProduct} SKUs per product` });
  const seen = new Set<string>();
  input.skus.forEach((sku, i) => {
    if (seen.has(sku.code)) issues.push({ path: `/skus/${i}/code`, message: `SKU code "${sku.code}" appears twice` });
    seen.add(sku.code);
    if (!Number.isSafeInteger(sku.publicPriceFen) || sku.publicPriceFen <= 0) issues.push({ path: `/skus/${i}/publicPriceFen`, message: 'must be a whole number of fen above 0' });
    if (!Number.isSafeInteger(sku.stockUnits) || sku.stockUnits < 0) issues.push({ path: `/skus/${i}/stockUnits`, message: 'must be a whole number, 0 or more' });
    if (sku.costFen !== undefined && (!Number.isSafeInteger(sku.costFen) || sku.costFen < 0)) issues.push({ path: `/skus/${i}/costFen`, message: 'must be a whole number of fen, 0 or more' });
  });
  return issues;
}

export function isInStock(stockUnits: number): boolean {
  return stockUnits > 0;
}

/** The lowest public price among SKUs ("from ¥..."), or null for none. */
export function fromPriceFen(skus: ReadonlyArray<{ publicPriceFen: number }>): number | null {
  let lowest: number | null = null;
  for (const sku of skus) if (lowest === null || sku.publicPriceFen < lowest) lowest = sku.publicPriceFen;
  return lowest;
}

/** Whether the public prices of a product's SKUs differ (the page then says "起"). */
export function hasPriceRange(skus: ReadonlyArray<{ publicPriceFen: number }>): boolean {
  return skus.some((sku) => sku.publicPriceFen !== skus[0]?.publicPriceFen);
}

/** A query trimmed, with runs of white space made one, cut to the limit. */
export function normalizeQuery(q: string): string {
  return q.trim().replace(/\s+/g, ' ').slice(0, SEARCH_QUERY_MAX_CHARS);
}

/** A lower-cased LIKE pattern matching `q` anywhere; `\` escapes the wildcards typed by people. */
export function containsPattern(q: string): string {
  return `%${normalizeQuery(q).toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Parses stored attributes JSON; anything but an object of strings is read as no attributes. */
export function parseAttributes(json: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

/** "颜色: 黑 · 尺码: L" for a SKU's attributes, in the order the merchant gave them. */
export function describeAttributes(attributes: Record<string, string>): string {
  return Object.entries(attributes).map(([name, value]) => `${name}: ${value}`).join(' · ');
}
