// Order page: pay (through the provider's cashier), cancel, and watch the status change.
const card = document.querySelector('.order');
const message = document.getElementById('message');
if (card) {
  const id = card.dataset.id;
  const payKey = `web-pay-${id}-${crypto.randomUUID()}`;
  document.getElementById('pay')?.addEventListener('click', async () => {
    const res = await fetch(`/api/v1/orders/${id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': payKey },
      body: JSON.stringify({ provider: 'sandbox' }),
    });
    const body = await res.json().catch(() => ({}));
    if (res.ok) location.assign(body.payUrl);
    else message.textContent = body.message || '无法支付 Cannot pay';
  });
  document.getElementById('cancel')?.addEventListener('click', async () => {
    const res = await fetch(`/api/v1/orders/${id}/cancel`, { method: 'POST' });
    if (res.ok) location.reload();
    else message.textContent = (await res.json().catch(() => ({}))).message || '无法取消 Cannot cancel';
  });
  // After-sales: ask for a refund or return (one key per page load: a double tap asks once),
  // withdraw a return, give the tracking number of goods sent back.
  const refundKey = `web-refund-${id}-${crypto.randomUUID()}`;
  const post = async (url, body, headers = {}) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (res.ok) return location.reload();
    message.textContent = (await res.json().catch(() => ({}))).message || '操作失败 Failed';
  };
  document.getElementById('refund-form')?.addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    void post(`/api/v1/orders/${id}/refunds`, { quantity: Number(form.get('quantity')), reason: String(form.get('reason')) }, { 'idempotency-key': refundKey });
  });
  for (const button of document.querySelectorAll('.refund-cancel')) {
    button.addEventListener('click', () => void post(`/api/v1/refunds/${button.dataset.refund}/cancel`, {}));
  }
  for (const form of document.querySelectorAll('.ship-back')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      void post(`/api/v1/refunds/${form.dataset.refund}/return-shipment`, { carrier: String(data.get('carrier')), trackingNo: String(data.get('trackingNo')) });
    });
  }
  // The payment notice arrives asynchronously: poll a little while the order awaits payment.
  if (card.dataset.status === 'pending_payment') {
    let polls = 0;
    const poll = async () => {
      polls += 1;
      const res = await fetch(`/api/v1/orders/${id}`);
      if (res.ok && (await res.json()).status !== 'pending_payment') return location.reload();
      if (polls < 60) setTimeout(poll, 2000);
    };
    setTimeout(poll, 2000);
  }
}
