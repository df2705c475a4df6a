// `kubectl sei task mark-ready NODE`: the mark-ready paved road (render, validate, preflight, apply, wait).
import { EXIT_CODES_HELP, PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class MarkReady extends PavedRoadCommand {
  static override summary = "Mark a node ready (later controller API).";
  static override description = `${MarkReady.summary}\n\nRenders the mark-ready template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    "<%= config.bin %> task mark-ready node-0 -n sei",
  ];
  static override kindName = 'mark-ready';
  static override paramFlags = {  };
  static override flags = pavedRoadFlags;
}
