// Payment routes: provider notifications, and the sandbox cashier (page + confirm step).
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { AppError } from '../platform/errors.ts';
import { html, page } from '../platform/html.ts';
import { formatYuan } from '../platform/money.ts';
import type { PaymentsService } from './service.ts';
import { SANDBOX_NOTIFY_PATH } from './sandbox.ts';

const SandboxNotice = Type.Object({
  sandboxPaymentId: Type.String({ maxLength: 100 }),
  paymentId: Type.String({ maxLength: 100 }),
  amountFen: Type.Integer({ minimum: 1 }),
  paidAt: Type.String({ maxLength: 40 }),
}, { additionalProperties: false });

const SandboxId = Type.Object({ id: Type.String({ pattern: '^sbx_[A-Za-z0-9_-]{10,40}$' }) });

export async function paymentsRoutes(app: App, payments: PaymentsService): Promise<void> {
  // The sandbox notifies this same server; in-process delivery goes through the real route.
  payments.sandbox.useTransport(async (path, body, headers) => {
    const res = await app.inject({ method: 'POST', url: path, payload: body as Record<string, unknown>, headers });
    return res.statusCode;
  });

  app.post(SANDBOX_NOTIFY_PATH, {
    schema: {
      tags: ['payments'],
      summary: 'Payment notification from the sandbox provider (signed; may arrive twice or late).',
      body: SandboxNotice,
      response: { 200: Type.Object({ received: Type.Boolean(), result: Type.Union([Type.Literal('processed'), Type.Literal('duplicate')]) }), ...errorResponses },
    },
  }, async (request) => {
    const result = await payments.handleNotice('sandbox', request.headers, request.body);
    return { received: true, result };
  });

  app.post('/api/v1/sandbox/payments/:id/confirm', {
    schema: {
      tags: ['payments'],
      summary: 'The buyer confirms a sandbox payment (the cashier\'s "pay" button). The notification follows asynchronously.',
      params: SandboxId,
      response: { 200: Type.Object({ status: Type.String(), amountFen: Type.Integer() }), ...errorResponses },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store');
    return payments.sandbox.confirm(request.params.id);
  });

  app.get('/sandbox/pay/:id', { schema: { hide: true, params: SandboxId } }, async (request, reply) => {
    const payment = await payments.sandbox.describe(request.params.id);
    if (!payment) throw new AppError('NOT_FOUND');
    const orderId = await payments.orderIdOfPayment(payment.paymentId);
    reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8');
    return page({
      title: '沙箱收银台 Sandbox cashier',
      body: html`<section class="card cashier" data-id="${request.params.id}" data-return="${`/orders/${orderId}`}">
  <p class="muted">沙箱支付 · Sandbox payment (no real money)</p>
  <h1>¥${formatYuan(payment.amountFen)}</h1>
  <p>${payment.description}</p>
  ${payment.status === 'awaiting'
    ? html`<button id="confirm" class="primary">确认支付 Confirm payment</button>`
    : html`<p class="notice">已支付 Paid</p><a class="button" href="${`/orders/${orderId}`}">查看订单 View order</a>`}
  <p id="message" class="muted" role="status"></p>
</section>`,
      scripts: ['sandbox.js'],
    });
  });
}

