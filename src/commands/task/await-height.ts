// `kubectl sei task await-height NODE`: the await-nodes-at-height paved road (render, validate, preflight, apply, wait).
import * as Flags from '@oclif/core/flags';
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class AwaitHeight extends PavedRoadCommand {
  static override summary = "Wait until a node reaches a block height.";
  static override description = `Renders the await-nodes-at-height template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task await-height node-0 -n sei --height 1200000 --env-file out.env",
  ];
  static override kindName = 'await-nodes-at-height';
  static override paramFlags = { 'height': 'targetHeight' };
  static override flags = {
    ...pavedRoadFlags,
    'height': Flags.integer({ description: "The block height to reach. Sets parameter targetHeight.", required: true }),
  };
}
