// The sign-in page for buyers and promoters on phones: mobile number, one-time code, then back to
// where they came from. The script (public/assets/login.js) calls the two OTP endpoints.
import { html, page } from '../platform/html.ts';
import type { MobileRole } from './rules.ts';

export function renderLoginPage(options: { nextPath: string; role: MobileRole }): string {
  const isPromoter = options.role === 'promoter';
  const heading = isPromoter ? '推广者登录' : '手机号登录';
  const switchTo = isPromoter ? 'buyer' : 'promoter';
  const switchHref = `/login?role=${switchTo}&next=${encodeURIComponent(options.nextPath)}`;
  const body = html`
<section class="login" aria-labelledby="login-title">
  <h1 id="login-title">${heading}</h1>
  <p class="hint" lang="en">${isPromoter ? 'Promoter sign-in' : 'Sign in'} with your mobile number and a code sent by SMS.</p>
  <form id="login-form" class="stack" method="post" data-next="${options.nextPath}" data-role="${options.role}" novalidate>
    <label for="mobile">手机号 <span class="hint" lang="en">Mobile number</span></label>
    <input id="mobile" name="mobile" type="tel" inputmode="numeric" autocomplete="tel-national" maxlength="11" pattern="1[3-9][0-9]{9}" placeholder="13800000000" required>
    <button id="send-code" type="button" class="secondary">获取验证码 <span class="hint" lang="en">Get code</span></button>
    <label for="code">验证码 <span class="hint" lang="en">6-digit code</span></label>
    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" placeholder="000000" required>
    <button id="submit" type="submit">登录 <span class="hint" lang="en">Sign in</span></button>
    <p id="login-message" class="message" role="status" aria-live="polite"></p>
  </form>
  <p class="switch"><a href="${switchHref}">${isPromoter ? '我是买家' : '我是推广者'}</a></p>
</section>`;
  return page({ title: `${heading} · Hushsale`, body, scripts: ['login.js'] });
}
