// Checkout form: one Idempotency-Key per page, so a double tap or a retry never orders twice.
const form = document.getElementById('checkout-form');
const message = document.getElementById('message');
const idempotencyKey = `web-${crypto.randomUUID()}`;
form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  message.textContent = '';
  const data = new FormData(form);
  const item = form.dataset.kind === 'event' ? { offerId: form.dataset.id } : { skuId: form.dataset.id };
  const address = {};
  for (const field of ['name', 'mobile', 'province', 'city', 'district', 'detail']) address[field] = String(data.get(field) || '').trim();
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const res = await fetch('/api/v1/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ ...item, quantity: Number(data.get('quantity')), address, joinMembership: data.get('joinMembership') === 'yes' }),
    });
    const body = await res.json().catch(() => ({}));
    if (res.ok) return location.assign(`/orders/${body.id}`);
    message.textContent = body.message || '下单失败 Could not place the order';
  } catch {
    message.textContent = '网络错误,请重试 Network error, try again';
  }
  button.disabled = false;
});
