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
