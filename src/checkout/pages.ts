// Buyer pages of checkout, phone-first: the order form, my orders, one order (pay, status).
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../platform/http.ts';
import { AppError } from '../platform/errors.ts';
import { html, page } from '../platform/html.ts';
import { formatYuan } from '../platform/money.ts';
import { showShanghai } from '../platform/clock.ts';
import { maskMobile } from '../platform/log.ts';
import type { CheckoutService, RefundLine } from './service.ts';
import type { OrderRecord } from './store.ts';

const statusText: Record<OrderRecord['status'], string> = {
  pending_payment: '待支付 Awaiting payment',
  paid: '已支付 Paid',
  cancelled: '已取消 Cancelled',
};

const refundStatusText: Record<string, string> = {
  requested: '待商家处理 Awaiting the store',
  approved: '已同意,请寄回 Approved: send it back',
  rejected: '已拒绝 Rejected',
  returned: '已寄回 Sent back',
  refunding: '退款中 Refunding',
  refunded: '已退款 Refunded',
  cancelled: '已撤销 Withdrawn',
};

/** The order's refund requests, and a small form to ask for one while units are left. */
function refundSection(order: OrderRecord, lines: RefundLine[]) {
  if (order.status !== 'paid') return '';
  const claimed = lines.filter((l) => l.status !== 'rejected' && l.status !== 'cancelled').reduce((n, l) => n + l.quantity, 0);
  const left = order.quantity - claimed;
  return html`<section id="refunds">
  <h2>售后 After-sales</h2>
  ${lines.length > 0 ? html`<ul class="refunds">${lines.map((l) => html`<li data-refund="${l.id}" data-status="${l.status}">
    ${l.kind === 'return' ? '退货退款 Return' : '退款 Refund'} ×${l.quantity} · ¥${formatYuan(l.amountFen)} · <strong>${refundStatusText[l.status] ?? l.status}</strong>
    ${l.status === 'approved' ? html`<form class="ship-back buyer-form" data-refund="${l.id}">
      <label>快递公司 Carrier <input name="carrier" required maxlength="40"></label>
      <label>运单号 Tracking no. <input name="trackingNo" required pattern="[A-Za-z0-9-]{4,40}"></label>
      <button type="submit">提交寄回信息 Sent back</button></form>` : ''}
    ${l.status === 'requested' || l.status === 'approved' ? html`<button class="refund-cancel" data-refund="${l.id}">撤销 Withdraw</button>` : ''}
  </li>`)}</ul>` : ''}
  ${left > 0 ? html`<form id="refund-form" class="buyer-form">
    <label>数量 Quantity <input name="quantity" type="number" min="1" max="${left}" value="${left}" required></label>
    <label>原因 Reason <input name="reason" required maxlength="500" value="${order.shippedAt === null ? '不想要了 Changed my mind' : '七天无理由 No-reason return'}"></label>
    <button type="submit">${order.shippedAt === null ? '申请退款 Request a refund' : '申请退货 Request a return'}</button>
  </form>` : ''}
</section>`;
}

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
    const refunds = refundSection(order, await checkout.refundLines(buyerId, order.id));
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
  ${refunds}
  <p id="message" class="error" role="status"></p>
  <p><a href="/orders">我的订单 My orders</a></p>
</section>`,
      scripts: ['order.js'],
    });
  });
}
