// `kubectl sei task gov-upgrade NODE`: the gov-software-upgrade paved road (render, validate, preflight, apply, wait).
import * as Flags from '@oclif/core/flags';
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class GovUpgrade extends PavedRoadCommand {
  static override summary = "Submit a software-upgrade governance proposal from the node's key; its proposalId feeds gov-vote.";
  static override description = `Renders the gov-software-upgrade template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task gov-upgrade node-0 -n sei --chain-id arctic-1 --title v6.1 --summary 'upgrade to v6.1' --upgrade-name v6.1.0 --upgrade-height 1500000 --deposit 10000000usei --fees 20000usei --gas 500000 --output-env PROPOSAL_ID={.status.outputs.govSoftwareUpgrade.proposalId} --env-file gov.env",
    "<%= config.bin %> task gov-upgrade node-0 -n sei --values upgrade.yaml --env-file gov.env",
  ];
  static override kindName = 'gov-software-upgrade';
  static override paramFlags = { 'chain-id': 'chainId', 'title': 'title', 'summary': 'description', 'upgrade-name': 'upgradeName', 'upgrade-height': 'upgradeHeight', 'deposit': 'initialDeposit', 'fees': 'fees', 'gas': 'gas' };
  static override flags = {
    ...pavedRoadFlags,
    'chain-id': Flags.string({ description: "Chain id. Sets parameter chainId." }),
    'title': Flags.string({ description: "Proposal title. Sets parameter title." }),
    'summary': Flags.string({ description: "Proposal description (parameter `description`). Sets parameter description." }),
    'upgrade-name': Flags.string({ description: "Upgrade name (the seid upgrade handler). Sets parameter upgradeName." }),
    'upgrade-height': Flags.integer({ description: "Height at which the chain halts for the upgrade. Sets parameter upgradeHeight." }),
    'deposit': Flags.string({ description: "Initial deposit, e.g. 10000000usei. Sets parameter initialDeposit." }),
    'fees': Flags.string({ description: "Fees, e.g. 20000usei. Sets parameter fees." }),
    'gas': Flags.integer({ description: "Gas limit. Sets parameter gas." }),
  };
}
