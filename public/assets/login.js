// Sign-in page: ask for a code by SMS, then trade it for a session (cookie) and go back to `next`.
(function () {
  const form = document.getElementById('login-form');
  if (!form) return;
  const mobileInput = document.getElementById('mobile');
  const codeInput = document.getElementById('code');
  const sendButton = document.getElementById('send-code');
  const submitButton = document.getElementById('submit');
  const message = document.getElementById('login-message');
  const role = form.dataset.role === 'promoter' ? 'promoter' : 'buyer';
  const MOBILE = /^1[3-9][0-9]{9}$/;
  const CODE = /^[0-9]{6}$/;
  const RESEND_SECONDS = 60;

  // Same-site paths only: "/x" yes; "//host", "/\host", "https://..." no.
  function safeNext(next) {
    if (typeof next !== 'string' || next.length === 0 || next.length > 500) return '/';
    if (next[0] !== '/' || next[1] === '/' || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
    return next;
  }

  function say(text, ok) {
    message.textContent = text;
    message.classList.toggle('ok', Boolean(ok));
  }

  async function post(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    return { ok: res.ok, status: res.status, data };
  }

  function countdown() {
    let left = RESEND_SECONDS;
    sendButton.disabled = true;
    const label = sendButton.textContent;
    const timer = setInterval(() => {
      left -= 1;
      sendButton.textContent = `${left} 秒后可重发`;
      if (left <= 0) {
        clearInterval(timer);
        sendButton.textContent = label;
        sendButton.disabled = false;
      }
    }, 1000);
  }

  sendButton.addEventListener('click', async () => {
    const mobile = mobileInput.value.trim();
    if (!MOBILE.test(mobile)) {
      say('请输入 11 位手机号 Enter an 11-digit mobile number');
      mobileInput.focus();
      return;
    }
    sendButton.disabled = true;
    try {
      const { ok, data } = await post('/api/v1/auth/otp/request', { mobile, role });
      if (ok) {
        say(`验证码已发送至 ${data.sentTo} Code sent`, true);
        codeInput.focus();
        countdown();
      } else {
        say(data.message || '发送失败,请稍后再试 Could not send, try again');
        sendButton.disabled = false;
      }
    } catch {
      say('网络错误,请重试 Network error');
      sendButton.disabled = false;
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const mobile = mobileInput.value.trim();
    const code = codeInput.value.trim();
    if (!MOBILE.test(mobile) || !CODE.test(code)) {
      say('请输入手机号和 6 位验证码 Enter your number and the 6-digit code');
      return;
    }
    submitButton.disabled = true;
    try {
      const { ok, data } = await post('/api/v1/auth/otp/verify', { mobile, role, code });
      if (ok) {
        say('登录成功 Signed in', true);
        location.assign(safeNext(form.dataset.next));
        return;
      }
      say(data.message || '验证码错误或已过期 Wrong or expired code');
    } catch {
      say('网络错误,请重试 Network error');
    }
    submitButton.disabled = false;
  });
})();
