// Buyer pages of access, phone-first: open a link, paste a code, see an event's offers.
// A page that shows a clearance price is private, uncached, and carries no price in its preview tags.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { AppError } from '../platform/errors.ts';
import { html, page, type SafeHtml } from '../platform/html.ts';
import { formatYuan } from '../platform/money.ts';
import { showShanghai } from '../platform/clock.ts';
import type { AccessService } from './service.ts';
import { accessTokenOf, buyerOffers, setAccessCookie } from './view.ts';
import type { EventView } from '../events/service.ts';

function notAvailable(): string {
  return page({
    title: '链接无效 Link not valid',
    body: html`<section class="card">
  <h1>链接无效或活动已结束</h1>
  <p>This link or share code is not valid, or the sale is over.</p>
  <p><a class="button" href="/code">输入口令 Enter a share code</a></p>
</section>`,
  });
}

function offersList(event: EventView, live: boolean): SafeHtml {
  const offers = buyerOffers(event, live ? 'live' : 'warmup');
  return html`<ul class="offers">${offers.map((offer) => html`<li class="offer${offer.isHero ? ' hero' : ''}">
  ${offer.imageUrl ? html`<img src="${offer.imageUrl}" alt="" loading="lazy">` : ''}
  <div class="offer-body">
    <h3>${offer.productTitle}</h3>
    <p class="muted">${Object.values(offer.attributes).join(' / ')}</p>
    ${live && offer.clearancePriceFen !== undefined
      ? html`<p><span class="price">¥${formatYuan(offer.clearancePriceFen)}</span> <s class="muted">¥${formatYuan(offer.publicPriceFen)}</s></p>
    <p class="muted">每人限购 ${offer.perBuyerLimit} 件 · limit ${offer.perBuyerLimit} per buyer</p>
    ${offer.soldOut ? html`<span class="badge">已售罄 Sold out</span>` : html`<a class="button primary" href="/checkout?offer=${offer.offerId}">立即抢购 Buy now</a>`}`
      : html`<p class="muted">专享价开抢后可见 · Price shown when the sale opens</p>`}
  </div>
</li>`)}</ul>`;
}

export async function accessPages(app: App, access: AccessService, secureCookies: boolean): Promise<void> {
  app.get('/e/:token', { schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 300 }) }) } }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store');
    try {
      const opened = await access.open({ link: request.params.token }, request.ip, (eventId) => accessTokenOf(request, access, eventId));
      setAccessCookie(reply, access, opened, secureCookies);
      return reply.redirect(`/events/${opened.grant.eventId}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'ACCESS_INVALID') return reply.status(404).type('text/html; charset=utf-8').send(notAvailable());
      throw error;
    }
  });

  app.get('/code', { schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/html; charset=utf-8');
    return page({
      title: '输入口令 Enter a share code',
      body: html`<section class="card">
  <h1>输入口令</h1>
  <p class="muted">粘贴群里分享的整段文字即可 · Paste the whole shared text</p>
  <form id="code-form" class="buyer-form" method="post">
    <textarea name="code" rows="3" required maxlength="500" placeholder="￥XXXXXXXX￥"></textarea>
    <button class="primary" type="submit">进入活动 Open</button>
  </form>
  <p id="message" class="error" role="status"></p>
</section>`,
      scripts: ['code.js'],
    });
  });

  app.get('/events/:eventId', { schema: { hide: true, params: Type.Object({ eventId: Type.String({ maxLength: 40 }) }) } }, async (request, reply) => {
    const { eventId } = request.params;
    reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8');
    const grant = await access.readAccess(request.cookies[access.accessCookieName(eventId)], eventId);
    const event = grant ? await access.eventView(eventId) : null;
    const phase = event ? access.phaseOf(event) : 'ended';
    if (!event || phase === 'ended') return reply.status(404).send(notAvailable());
    const live = phase === 'live';
    return page({
      title: event.title,
      // Previews show the brand and the title only: never a price.
      head: html`<meta property="og:title" content="${event.storeName} · ${event.title}"><meta name="robots" content="noindex">`,
      body: html`<header class="event-head">
  <p class="muted">${event.storeName} 官方店铺 · official store</p>
  <h1>${event.title}</h1>
  ${live
    ? html`<p>进行中,${showShanghai(event.endsAt)} 结束 · Live until ${showShanghai(event.endsAt)}</p>`
    : html`<p class="countdown" data-starts="${event.startsAt}">${showShanghai(event.startsAt)} 开抢 · Opens ${showShanghai(event.startsAt)}</p>`}
</header>
${offersList(event, live)}
<p class="muted small"><a href="/orders">我的订单 My orders</a></p>`,
      scripts: live ? [] : ['countdown.js'],
    });
  });
}
