// `kubectl sei task mark-ready NODE`: the mark-ready paved road (render, validate, preflight, apply, wait).
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class MarkReady extends PavedRoadCommand {
  static override summary = "Mark a node ready (later controller API).";
  static override description = `Renders the mark-ready template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task mark-ready node-0 -n sei",
  ];
  static override kindName = 'mark-ready';
  static override paramFlags = {  };
  static override flags = pavedRoadFlags;
}
