// `kubectl sei task gov-vote NODE`: the gov-vote paved road (render, validate, preflight, apply, wait).
import * as Flags from '@oclif/core/flags';
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class GovVote extends PavedRoadCommand {
  static override summary = "Vote on a governance proposal from the node's key.";
  static override description = `Renders the gov-vote template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task gov-vote node-1 -n sei --chain-id arctic-1 --proposal-id 7 --option yes --fees 20000usei --gas 200000",
  ];
  static override kindName = 'gov-vote';
  static override paramFlags = { 'proposal-id': 'proposalId', 'option': 'option', 'chain-id': 'chainId', 'fees': 'fees', 'gas': 'gas' };
  static override flags = {
    ...pavedRoadFlags,
    'proposal-id': Flags.integer({ description: "The proposal id (e.g. from gov-upgrade's PROPOSAL_ID). Sets parameter proposalId." }),
    'option': Flags.string({ description: "yes|no|abstain|no_with_veto. Sets parameter option." }),
    'chain-id': Flags.string({ description: "Chain id. Sets parameter chainId." }),
    'fees': Flags.string({ description: "Fees, e.g. 20000usei. Sets parameter fees." }),
    'gas': Flags.integer({ description: "Gas limit. Sets parameter gas." }),
  };
}
