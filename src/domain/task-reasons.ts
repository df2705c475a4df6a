/**
 * What the latest controller's gov reasons mean for an operator (upstream
 * internal/controller/nodetask/controller.go:305-354 at 2d670ad, seictl's GovTxResult), in one
 * place for `task describe`, the verdict line and a plan's failure diagnosis. Pure data.
 */

export interface ReasonExplanation {
  /** One sentence for verdict lines. */
  summary: string;
  /** What to do next (describe's Next section, a plan's hints). */
  next: (name: string, namespace: string) => string[];
  /**
   * A retry could broadcast the tx a second time or cannot help: plans never retry these
   * automatically, whatever their failurePolicy says.
   */
  noAutomaticRetry: boolean;
}

export const TASK_REASONS: Readonly<Record<string, ReasonExplanation>> = {
  Confirmed: {
    summary: 'the transaction was included on chain and succeeded',
    next: (name, ns) => [`Its txHash (and proposalId for proposals) are in status.outputs: kubectl sei task get ${name} -n ${ns} -o json | jq .status.outputs`],
    noAutomaticRetry: false,
  },
  TxFailed: {
    summary: 'the transaction is on chain and failed there (see its txHash in status.outputs); it will not be retried',
    next: (name, ns) => [
      `The tx was included and failed on chain: look it up by the txHash in status.outputs (kubectl sei task get ${name} -n ${ns} -o json | jq .status.outputs) and fix the cause (fees, gas, deposit, proposal state).`,
      `Only then run it again under a new name (or --replace --name ${name} -n ${ns}): that broadcasts a new transaction.`,
    ],
    noAutomaticRetry: true,
  },
  InclusionUndetermined: {
    summary: 'the sidecar could not tell whether the transaction was included before the timeout; check the txHash on chain before any retry: a retry may submit it twice',
    next: (name, ns) => [
      `Check the txHash in status.outputs on chain first (kubectl sei task get ${name} -n ${ns} -o json | jq .status.outputs; then seid query tx HASH): it may have been included after all.`,
      'Retry only when the chain shows it was not: a retry broadcasts a second transaction (a second proposal, a second vote).',
    ],
    noAutomaticRetry: true,
  },
};
