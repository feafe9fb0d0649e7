// Sending one-time codes by SMS. The development sender logs the code (mobile masked); a real
// sender (Aliyun, Tencent Cloud) implements the same interface.
import type { AppContext } from '../platform/context.ts';
import { maskMobile } from '../platform/log.ts';

export interface SmsSender {
  sendCode(mobile: string, code: string): Promise<void>;
}

/** The development sender also remembers the last code per number, for tests. */
export type DevSmsSender = SmsSender & { lastCodeFor(mobile: string): string | undefined };

export function createSmsSender(ctx: AppContext): DevSmsSender {
  const recent = new Map<string, string>();
  return {
    async sendCode(mobile, code) {
      recent.set(mobile, code);
      if (recent.size > 1000) recent.delete(recent.keys().next().value as string);
      // The development sender's whole job is to show the code to the developer.
      ctx.log.info({ to: maskMobile(mobile), devCode: code }, `SMS (development sender): code ${code} for ${maskMobile(mobile)}`);
    },
    lastCodeFor: (mobile) => recent.get(mobile),
  };
}
