// What Hushsale needs from a payout provider (bank or wallet transfers in bulk: Alipay's batch
// transfer, WeChat Pay's 商家转账到零钱). The sandbox implements it; a real adapter maps onto the same calls.

export interface PayoutItemInput {
  itemId: string;
  payeeKind: 'promoter' | 'merchant';
  payeeId: string;
  amountFen: number;
}

export interface SubmitBatchInput {
  /** Our batch id, the provider's merchant reference: submitting it again never pays twice. */
  batchId: string;
  totalFen: number;
  items: PayoutItemInput[];
}

/** The provider's final word on a batch: each item paid or failed. May arrive late, and more than once. */
export interface PayoutReport {
  batchId: string;
  providerRef: string;
  completedAt: string;
  items: Array<{ itemId: string; outcome: 'paid' | 'failed'; reason?: string }>;
}

/** Takes a report; a throw makes the provider deliver it again later. */
export type PayoutReportHandler = (report: PayoutReport) => Promise<void>;

export interface PayoutProvider {
  readonly name: string;
  submitBatch(input: SubmitBatchInput): Promise<{ providerRef: string }>;
  onReport(handler: PayoutReportHandler): void;
}
