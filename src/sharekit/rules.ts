// Pure rules of a promoter's share kit: copy templates with {variables} (checking and rendering),
// the sales window as people in China read it, which offers a kit and a poster show, and what a
// poster draws (the input of its cache key). No I/O, no clock reads.
import { SHANGHAI_OFFSET_MS } from '../calendar/rules.ts';
import { formatYuan } from '../platform/money.ts';

/** Every variable a copy template may use. */
export const TEMPLATE_VARIABLES = ['store', 'event', 'start', 'end', 'link', 'code', 'promoter', 'hero', 'price', 'publicPrice'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Record<TemplateVariable, string>;

export const TEMPLATE_TITLE_MAX_CHARS = 40;
export const TEMPLATE_BODY_MAX_CHARS = 1000;
/** Heroes drawn on a poster; more would shrink each below what reads on a phone. */
export const POSTER_HEROES_MAX = 2;

export interface TemplateIssue {
  path: string;
  message: string;
  /** The unknown variable, when that is the problem. */
  variable?: string;
}

type Part = { text: string } | { variable: TemplateVariable };

function isVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/**
 * Splits a template into text and variables. `{{` and `}}` stand for literal braces; a `{` must
 * close with `}` before the next `{` or the end; a `}` must close a `{`; every name must be known.
 */
export function parseTemplate(body: string): { parts: Part[]; issues: TemplateIssue[] } {
  const parts: Part[] = [];
  const issues: TemplateIssue[] = [];
  let text = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    const next = body[i + 1];
    if ((c === '{' && next === '{') || (c === '}' && next === '}')) {
      text += c;
      i += 2;
      continue;
    }
    if (c === '}') {
      issues.push({ path: '/body', message: `unbalanced "}" at character ${i + 1} (write "}}" for a literal brace)` });
      i += 1;
      continue;
    }
    if (c !== '{') {
      text += c;
      i += 1;
      continue;
    }
    const close = body.indexOf('}', i + 1);
    const reopen = body.indexOf('{', i + 1);
    if (close === -1 || (reopen !== -1 && reopen < close)) {
      issues.push({ path: '/body', message: `unbalanced "{" at character ${i + 1} (write "{{" for a literal brace)` });
      i += 1;
      continue;
    }
    const name = body.slice(i + 1, close);
    if (isVariable(name)) {
      if (text) parts.push({ text });
      text = '';
      parts.push({ variable: name });
    } else {
      issues.push({ path: '/body', message: `unknown variable {${name}}; known: ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(' ')}`, variable: name });
    }
    i = close + 1;
  }
  if (text) parts.push({ text });
  return { parts, issues };
}

/** What keeps a template from being saved: lengths, braces, unknown variables. */
export function checkTemplate(input: { title?: string; body?: string }): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  if (input.title !== undefined) {
    const title = input.title.trim();
    if (title.length === 0) issues.push({ path: '/title', message: 'must not be blank' });
    if ([...input.title].length > TEMPLATE_TITLE_MAX_CHARS) issues.push({ path: '/title', message: `at most ${TEMPLATE_TITLE_MAX_CHARS} characters` });
  }
  if (input.body !== undefined) {
    if (input.body.trim().length === 0) issues.push({ path: '/body', message: 'must not be blank' });
    if ([...input.body].length > TEMPLATE_BODY_MAX_CHARS) issues.push({ path: '/body', message: `at most ${TEMPLATE_BODY_MAX_CHARS} characters` });
    else issues.push(...parseTemplate(input.body).issues);
  }
  return issues;
}

/** The text of a template with every variable filled. Throws on a template that does not check. */
export function renderTemplate(body: string, values: TemplateValues): string {
  const { parts, issues } = parseTemplate(body);
  if (issues.length > 0) throw new Error(`template does not check: ${issues.map((i) => i.message).join('; ')}`);
  return parts.map((part) => ('text' in part ? part.text : values[part.variable])).join('');
}

/** Used when the event has no template of its own (zh-CN; one with the price for small groups, one teaser without). */
export const DEFAULT_TEMPLATES: ReadonlyArray<{ title: string; body: string }> = [
  {
    title: '群内专享(带价格)',
    body: '【{store}】{event}\n⏰ {start} 准时开抢,{end} 结束\n🔥 {hero} 群内专享价 ¥{price}(日常价 ¥{publicPrice})\n数量有限,抢完即止 👉 {link}\n打不开链接?复制整段口令 ￥{code}￥ 打开 Hushsale\n—— {promoter} 推荐',
  },
  {
    title: '预告(不带价格)',
    body: '{store} 品牌特卖日来啦!{hero} 等好物,好友专属价只在链接里看得到 🤫\n{start} 开抢 👉 {link}\n口令:￥{code}￥',
  },
];

/** Asia/Shanghai wall-clock parts of an instant. */
function shanghaiParts(ms: number): { month: number; day: number; hh: string; mm: string; dayKey: string } {
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  return {
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hh: String(d.getUTCHours()).padStart(2, '0'),
    mm: String(d.getUTCMinutes()).padStart(2, '0'),
    dayKey: d.toISOString().slice(0, 10),
  };
}

/** "12月10日 10:00" in Asia/Shanghai. */
export function shanghaiMoment(iso: string): string {
  const p = shanghaiParts(Date.parse(iso));
  return `${p.month}月${p.day}日 ${p.hh}:${p.mm}`;
}

/**
 * The sales window as shown on a poster: "12月10日 10:00–22:00" within one Shanghai day,
 * "12月10日 10:00–24:00" when it ends at midnight, else both ends in full.
 */
export function shanghaiWindow(startsAt: string, endsAt: string): string {
  const startMs = Date.parse(startsAt);
  const endMs = Date.parse(endsAt);
  const start = shanghaiParts(startMs);
  const end = shanghaiParts(endMs);
  const head = `${start.month}月${start.day}日 ${start.hh}:${start.mm}`;
  if (end.dayKey === start.dayKey) return `${head}–${end.hh}:${end.mm}`;
  const beforeEnd = shanghaiParts(endMs - 1);
  if (end.hh === '00' && end.mm === '00' && beforeEnd.dayKey === start.dayKey) return `${head}–24:00`;
  return `${head}–${end.month}月${end.day}日 ${end.hh}:${end.mm}`;
}

export interface KitOffer {
  offerId: string;
  skuId: string;
  productTitle: string;
  imageUrl: string | null;
  publicPriceFen: number;
  clearancePriceFen: number;
  isHero: boolean;
  position: number;
}

/** Heroes first, then in the merchant's order. */
export function orderOffers<T extends { isHero: boolean; position: number }>(offers: readonly T[]): T[] {
  return [...offers].sort((a, b) => Number(b.isHero) - Number(a.isHero) || a.position - b.position);
}

/** The offers a poster shows: the heroes (at most POSTER_HEROES_MAX), or the first offer when none is a hero. */
export function posterOffers<T extends { isHero: boolean; position: number }>(offers: readonly T[]): T[] {
  const ordered = orderOffers(offers);
  const heroes = ordered.filter((o) => o.isHero).slice(0, POSTER_HEROES_MAX);
  return heroes.length > 0 ? heroes : ordered.slice(0, 1);
}

export interface KitFacts {
  storeName: string;
  eventTitle: string;
  startsAt: string;
  endsAt: string;
  url: string;
  shareCode: string;
  promoterName: string;
  offers: readonly KitOffer[];
}

/** The values of every template variable for one promoter's kit. */
export function templateValues(facts: KitFacts): TemplateValues {
  const hero = orderOffers(facts.offers)[0];
  return {
    store: facts.storeName,
    event: facts.eventTitle,
    start: shanghaiMoment(facts.startsAt),
    end: shanghaiMoment(facts.endsAt),
    link: facts.url,
    code: facts.shareCode,
    promoter: facts.promoterName,
    hero: hero?.productTitle ?? '',
    price: hero ? formatYuan(hero.clearancePriceFen) : '',
    publicPrice: hero ? formatYuan(hero.publicPriceFen) : '',
  };
}

/** Everything a poster draws, in drawing terms (text already formatted). */
export interface PosterContent {
  storeName: string;
  eventTitle: string;
  windowText: string;
  url: string;
  shareCode: string;
  tagline: string;
  heroes: Array<{ title: string; imageUrl: string | null; priceText: string; publicPriceText: string }>;
}

export const POSTER_TAGLINE = '好友专享价 · 仅限链接和口令可见';

export function posterContent(facts: KitFacts): PosterContent {
  return {
    storeName: facts.storeName,
    eventTitle: facts.eventTitle,
    windowText: shanghaiWindow(facts.startsAt, facts.endsAt),
    url: facts.url,
    shareCode: facts.shareCode,
    tagline: POSTER_TAGLINE,
    heroes: posterOffers(facts.offers).map((o) => ({
      title: o.productTitle,
      imageUrl: o.imageUrl,
      priceText: formatYuan(o.clearancePriceFen),
      publicPriceText: formatYuan(o.publicPriceFen),
    })),
  };
}

/**
 * The text a poster's cache key hashes: what is drawn, in a fixed order, plus what each image
 * turned out to be (its bytes' digest, or a placeholder), so a changed price, title, window or
 * image makes a new poster and nothing else does.
 */
export function posterKeyText(content: PosterContent, imageDigests: readonly string[]): string {
  return JSON.stringify([content.storeName, content.eventTitle, content.windowText, content.url, content.shareCode, content.tagline,
    content.heroes.map((h, i) => [h.title, h.priceText, h.publicPriceText, imageDigests[i] ?? 'none'])]);
}

/** Whether an image URL may be fetched at all: http(s) only, no credentials, a sane length. */
export function isFetchableImageUrl(value: string | null): boolean {
  if (!value || value.length > 2000) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.hostname !== '';
}
