// `kubectl sei task gov-param-change NODE`: the gov-param-change paved road (render, validate, preflight, apply, wait).
import * as Flags from '@oclif/core/flags';
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class GovParamChange extends PavedRoadCommand {
  static override summary = "Submit a parameter-change governance proposal (later controller API).";
  static override description = `Renders the gov-param-change template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task gov-param-change node-0 -n sei --chain-id arctic-1 --title 'raise max validators' --summary '...' --subspace staking --key MaxValidators --value 60 --deposit 10000000usei --fees 20000usei --gas 300000",
  ];
  static override kindName = 'gov-param-change';
  static override paramFlags = { 'chain-id': 'chainId', 'title': 'title', 'summary': 'description', 'subspace': 'subspace', 'key': 'key', 'value': 'value', 'deposit': 'initialDeposit', 'fees': 'fees', 'gas': 'gas' };
  static override flags = {
    ...pavedRoadFlags,
    'chain-id': Flags.string({ description: "Chain id. Sets parameter chainId." }),
    'title': Flags.string({ description: "Proposal title. Sets parameter title." }),
    'summary': Flags.string({ description: "Proposal description (parameter `description`). Sets parameter description." }),
    'subspace': Flags.string({ description: "Parameter subspace, e.g. staking. Sets parameter subspace." }),
    'key': Flags.string({ description: "Parameter key. Sets parameter key." }),
    'value': Flags.string({ description: "New value (JSON). Sets parameter value." }),
    'deposit': Flags.string({ description: "Initial deposit. Sets parameter initialDeposit." }),
    'fees': Flags.string({ description: "Fees. Sets parameter fees." }),
    'gas': Flags.integer({ description: "Gas limit. Sets parameter gas." }),
  };
}
