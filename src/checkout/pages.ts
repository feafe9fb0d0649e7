// Buyer pages of checkout, phone-first: the order form, my orders, one order (pay, status).
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../platform/http.ts';
import { AppError } from '../platform/errors.ts';
import { html, page } from '../platform/html.ts';
import { formatYuan } from '../platform/money.ts';
import { showShanghai } from '../platform/clock.ts';
import { maskMobile } from '../platform/log.ts';
import type { CheckoutService } from './service.ts';
import type { OrderRecord } from './store.ts';

const statusText: Record<OrderRecord['status'], string> = {
  pending_payment: '待支付 Awaiting payment',
  paid: '已支付 Paid',
  cancelled: '已取消 Cancelled',
};

function signedInBuyer(request: FastifyRequest, reply: FastifyReply): string | null {
  const principal = request.principal;
  if (principal?.role === 'buyer') return principal.userId;
  void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  return null;
}

function problem(title: string, text: string): string {
  return page({ title, body: html`<section class="card"><h1>${title}</h1><p>${text}</p><p><a class="button" href="/orders">我的订单 My orders</a></p></section>` });
}

export async function checkoutPages(app: App, checkout: CheckoutService): Promise<void> {
  app.get('/checkout', {
    schema: { hide: true, querystring: Type.Object({ offer: Type.Optional(Type.String({ maxLength: 40 })), sku: Type.Optional(Type.String({ maxLength: 40 })), quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })) }) },
  }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8');
    const buyerId = signedInBuyer(request, reply);
    if (!buyerId) return reply;
    const { offer, sku, quantity } = request.query;
    let item;
    try {
      item = await checkout.describeItem(offer !== undefined ? { offerId: offer } : { ...(sku !== undefined ? { skuId: sku } : {}) }, (eventId) => request.cookies[`hsa_${eventId}`]);
    } catch (error) {
      if (error instanceof AppError) return reply.status(error.status).send(problem('无法下单 Cannot order', error.message));
      throw error;
    }
    const max = item.perBuyerLimit ?? 99;
    const initialQuantity = Math.min(quantity ?? 1, max);
    return page({
      title: `下单 · ${item.productTitle}`,
      body: html`<section class="card">
  <h1>${item.productTitle}</h1>
  <p><span class="price">¥${formatYuan(item.unitPriceFen)}</span>${item.perBuyerLimit !== null ? html` <span class="muted">每人限购 ${item.perBuyerLimit} 件</span>` : ''}</p>
  <form id="checkout-form" class="buyer-form" method="post" data-kind="${item.kind}" data-id="${item.id}">
    <label>数量 Quantity <input name="quantity" type="number" min="1" max="${max}" value="${initialQuantity}" required></label>
    <fieldset><legend>收货地址 Shipping address</legend>
      <label>收货人 Name <input name="name" required maxlength="50" autocomplete="name"></label>
      <label>手机号 Mobile <input name="mobile" required pattern="1[3-9][0-9]{9}" inputmode="numeric" autocomplete="tel"></label>
      <label>省 Province <input name="province" required maxlength="30"></label>
      <label>市 City <input name="city" required maxlength="30"></label>
      <label>区/县 District <input name="district" required maxlength="30"></label>
      <label>详细地址 Street address <input name="detail" required maxlength="200" autocomplete="street-address"></label>
    </fieldset>
    <label class="consent"><input type="checkbox" name="joinMembership" value="yes"> 加入店铺会员(可随时退出)· Join the store's membership (leave any time)</label>
    <button class="primary" type="submit">提交订单 Place order</button>
  </form>
  <p id="message" class="error" role="status"></p>
</section>`,
      scripts: ['checkout.js'],
    });
  });

  app.get('/orders', { schema: { hide: true } }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8');
    const buyerId = signedInBuyer(request, reply);
    if (!buyerId) return reply;
    const orders = await checkout.orders(buyerId);
    return page({
      title: '我的订单 My orders',
      body: html`<h1>我的订单 My orders</h1>
${orders.length === 0 ? html`<p class="muted">还没有订单 No orders yet</p>` : ''}
<ul class="orders">${orders.map((o) => html`<li class="card"><a href="/orders/${o.id}">
  <strong>${o.productTitle}</strong> ×${o.quantity} · ¥${formatYuan(o.totalFen)}<br>
  <span class="muted">${o.storeName} · ${statusText[o.status]} · ${showShanghai(o.createdAt)}</span></a></li>`)}</ul>`,
    });
  });

  app.get('/orders/:id', { schema: { hide: true, params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8');
    const buyerId = signedInBuyer(request, reply);
    if (!buyerId) return reply;
    let order: OrderRecord;
    try {
      order = await checkout.order(buyerId, request.params.id);
    } catch (error) {
      if (error instanceof AppError) return reply.status(error.status).send(problem('找不到订单 Order not found', error.message));
      throw error;
    }
    const a = order.address;
    return page({
      title: `订单 ${order.id}`,
      body: html`<section class="card order" data-id="${order.id}" data-status="${order.status}">
  <p class="muted">${order.storeName} · 订单号 Order #${order.id}</p>
  <h1>${order.productTitle}</h1>
  <p>${order.skuCode} ×${order.quantity} · <span class="price">¥${formatYuan(order.totalFen)}</span></p>
  <p id="status"><strong>${statusText[order.status]}</strong></p>
  ${order.status === 'pending_payment'
    ? html`<p class="muted">请在 ${showShanghai(order.payDeadline)} 前支付 · Pay before ${showShanghai(order.payDeadline)}</p>
  <button id="pay" class="primary">去支付 Pay</button> <button id="cancel">取消订单 Cancel</button>`
    : ''}
  <p class="muted">${a.name} ${maskMobile(a.mobile ?? "")}<br>${a.province} ${a.city} ${a.district} ${a.detail}</p>
  ${order.shippedAt !== null
    ? html`<p id="shipping">${order.deliveredAt !== null ? '已签收 Delivered' : '已发货 Shipped'} · ${order.carrier ?? ''} <strong>${order.trackingNo ?? ''}</strong><br>
  <span class="muted">${showShanghai(order.deliveredAt ?? order.shippedAt)}</span></p>`
    : order.status === 'paid' ? html`<p id="shipping" class="muted">待发货 Awaiting shipment</p>` : ''}
  <p id="message" class="error" role="status"></p>
  <p><a href="/orders">我的订单 My orders</a></p>
</section>`,
      scripts: ['order.js'],
    });
  });
}
