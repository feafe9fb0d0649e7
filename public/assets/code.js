// Share-code page: send the pasted text, then open the event.
const form = document.getElementById('code-form');
const message = document.getElementById('message');
form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  message.textContent = '';
  const code = new FormData(form).get('code');
  const res = await fetch('/api/v1/access', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const body = await res.json().catch(() => ({}));
  if (res.ok) location.assign(`/events/${body.event.id}`);
  else message.textContent = body.message || '口令无效 Not a valid code';
});
