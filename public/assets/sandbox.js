// Sandbox cashier: confirm the payment, then go back to the order page.
const card = document.querySelector('.cashier');
const button = document.getElementById('confirm');
const message = document.getElementById('message');
if (card && button) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    message.textContent = '支付中… Paying…';
    const res = await fetch(`/api/v1/sandbox/payments/${card.dataset.id}/confirm`, { method: 'POST' });
    if (res.ok) {
      message.textContent = '支付成功,正在返回订单… Paid, returning to your order…';
      setTimeout(() => location.assign(card.dataset.return), 1200);
    } else {
      const body = await res.json().catch(() => ({}));
      message.textContent = body.message || '支付失败 Payment failed';
      button.disabled = false;
    }
  });
}
