// `kubectl sei task update-image NODE`: the update-node-image paved road (render, validate, preflight, apply, wait).
import * as Flags from '@oclif/core/flags';
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class UpdateImage extends PavedRoadCommand {
  static override summary = "Roll a node to a new seid image and wait until it runs it.";
  static override description = `Renders the update-node-image template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task update-image node-0 -n sei --image ghcr.io/sei-protocol/seid:v6.1.0",
  ];
  static override kindName = 'update-node-image';
  static override paramFlags = { 'image': 'image' };
  static override flags = {
    ...pavedRoadFlags,
    'image': Flags.string({ description: "The new container image. Sets parameter image.", required: true }),
  };
}
