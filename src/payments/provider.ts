// What Hushsale needs from a payment provider. The sandbox implements it here; Alipay
// (alipay-sdk: trade.page.pay / trade.refund / async notify with RSA2) and WeChat Pay
// (wechatpay-node-v3: transactions / refunds / AES-GCM notify) adapters map onto the same calls.

export interface CreatePaymentInput {
  /** Our payment id, sent to the provider as the merchant's reference (out_trade_no). */
  paymentId: string;
  amountFen: number;
  description: string;
  /** After this the provider must not accept the payment (time_expire). */
  expiresAt: string;
}

export interface CreatedPayment {
  /** The provider's id for this payment (trade_no / prepay_id). */
  providerRef: string;
  /** Where the buyer goes to pay (a cashier page, or params for a mini-program). */
  payUrl: string;
}

/** A verified "this payment succeeded" message from the provider. */
export interface PaymentNotice {
  providerRef: string;
  paymentId: string;
  amountFen: number;
  paidAt: string;
}

export interface RefundInput {
  providerRef: string;
  paymentId: string;
  /** Our refund id: providers deduplicate on it (out_refund_no), so a retried refund is paid once. */
  refundId: string;
  amountFen: number;
  reason: string;
}

export interface PaymentProvider {
  readonly name: string;
  createPayment(input: CreatePaymentInput): Promise<CreatedPayment>;
  /** Verifies the signature of an incoming notification; returns null when it is not genuine. */
  verifyNotice(headers: Record<string, string | string[] | undefined>, body: unknown): PaymentNotice | null;
  refund(input: RefundInput): Promise<void>;
}
