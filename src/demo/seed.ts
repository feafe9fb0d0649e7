// `hushsale demo`: a demo brand with its store, products, promoters and a live event, so a new
// user can walk the whole path (link -> clearance price -> order -> sandbox payment) in a minute.
import type { Hushsale } from '../app.ts';

export interface DemoSeed {
  storeSlug: string;
  storeUrl: string;
  eventId: string;
  eventTitle: string;
  endsAt: string;
  links: Array<{ promoter: string; url: string; shareCode: string; shareText: string }>;
  /** The demo's team: a leader (团长) and the promoter in their team. */
  team: { leader: string; members: string[] };
  merchantApiKey: string;
}

const products = [
  {
    title: '轻量羽绒服 Light down jacket',
    description: '90% 白鸭绒,可收纳。90% white duck down, packable.',
    image: 'down-jacket',
    skus: [
      { code: 'DJ-BLK-M', attributes: { 颜色: '黑 Black', 尺码: 'M' }, publicPriceFen: 89_900, clearancePriceFen: 39_900, stockUnits: 400, allocatedUnits: 200 },
      { code: 'DJ-BLK-L', attributes: { 颜色: '黑 Black', 尺码: 'L' }, publicPriceFen: 89_900, clearancePriceFen: 39_900, stockUnits: 400, allocatedUnits: 200 },
    ],
  },
  {
    title: '摇粒绒外套 Fleece jacket',
    description: '双面摇粒绒,防静电。Double-sided anti-static fleece.',
    image: 'fleece',
    skus: [{ code: 'FL-OAT-L', attributes: { 颜色: '燕麦 Oat', 尺码: 'L' }, publicPriceFen: 45_900, clearancePriceFen: 19_900, stockUnits: 300, allocatedUnits: 150 }],
  },
  {
    title: '防滑徒步靴 Hiking boots',
    description: '真皮鞋面,防滑大底。Leather upper, grippy sole.',
    image: 'boots',
    skus: [{ code: 'BT-BRN-42', attributes: { 颜色: '棕 Brown', 尺码: '42' }, publicPriceFen: 129_900, clearancePriceFen: 59_900, stockUnits: 120, allocatedUnits: 60 }],
  },
];

const promoters = [
  { mobile: '13800000001', name: '宝妈群主 Lily' },
  { mobile: '13800000002', name: '户外团长 Chen', isLeader: true },
  { mobile: '13800000003', name: 'KOC 小王', inTeam: true },
];

async function freeSlug(hs: Hushsale, base: string): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    const taken = await hs.ctx.db.selectFrom('stores').select('id').where('slug', '=', slug).executeTakeFirst();
    if (!taken) return slug;
  }
  throw new Error('no free demo store slug');
}

export async function seedDemo(hs: Hushsale): Promise<DemoSeed> {
  const { accounts, catalog, channels: channelsService, events, access, promoters: promotersService } = hs.services;
  const { config, clock } = hs.ctx;
  const storeSlug = await freeSlug(hs, 'beiling');
  const merchant = await accounts.createMerchant({
    storeName: '北岭户外 Beiling Outdoor',
    storeSlug,
    displayName: '北岭电商部',
    description: '北岭户外官方店铺 · The official Beiling Outdoor store (a demo brand).',
  });
  const storeId = merchant.store.id;

  const offers = [];
  for (const product of products) {
    const created = await catalog.createProduct(storeId, {
      title: product.title,
      description: product.description,
      imageUrl: `/assets/demo/${product.image}.svg`,
      skus: product.skus.map((s) => ({ code: s.code, attributes: s.attributes, publicPriceFen: s.publicPriceFen, stockUnits: s.stockUnits })),
    });
    for (const spec of product.skus) {
      const sku = created.skus.find((s) => s.code === spec.code);
      if (!sku) throw new Error(`demo SKU ${spec.code} missing`);
      offers.push({ skuId: sku.id, clearancePriceFen: spec.clearancePriceFen, allocatedUnits: spec.allocatedUnits, perBuyerLimit: 2, isHero: offers.length === 0 });
    }
  }

  const channels = await channelsService.listChannels();
  const channel = channels.find((c) => c.vertical === 'outdoor') ?? (await channelsService.createChannel({ name: '户外运动 Outdoor', vertical: 'outdoor' }));
  const nowMs = clock.nowMs();
  const event = await events.createEvent({
    storeId,
    channelId: channel.id,
    title: '冬季尾货专场 Winter clearance',
    startsAt: new Date(nowMs - 60_000).toISOString(),
    endsAt: new Date(nowMs + 12 * 3_600_000).toISOString(),
    offers,
  });

  // Added by the operator, so approved (one who signed up by SMS first is approved here), in the
  // channel; Chen leads a team that 小王 joined with Chen's invite code. Runs again without harm.
  const links = [];
  let leaderId: string | null = null;
  const team: DemoSeed['team'] = { leader: '', members: [] };
  for (const p of promoters) {
    const { promoter } = await accounts.addPromoter(p.mobile, p.name);
    if ((await promotersService.standing(promoter.id))?.status === 'pending') await promotersService.vet(promoter.id, 'approve', { reason: 'demo' }, 'demo');
    await channelsService.addPromoter(channel.id, promoter.id);
    if (p.isLeader) {
      await promotersService.setLeader(promoter.id, true);
      leaderId = promoter.id;
      team.leader = p.name;
    }
    if (p.inTeam && leaderId) {
      if ((await promotersService.standing(promoter.id))?.leaderId === null) {
        const invite = await promotersService.createInvite(leaderId, 1);
        await promotersService.joinTeam(promoter.id, invite.code);
      }
      team.members.push(p.name);
    }
    const link = await access.linkFor(promoter.id, event.id);
    links.push({ promoter: p.name, url: link.url, shareCode: link.shareCode, shareText: link.shareText });
  }
  return {
    storeSlug,
    storeUrl: `${config.publicBaseUrl}/s/${storeSlug}`,
    eventId: event.id,
    eventTitle: event.title,
    endsAt: event.endsAt,
    links,
    team,
    merchantApiKey: merchant.apiKey.key,
  };
}
