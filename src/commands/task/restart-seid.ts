// `kubectl sei task restart-seid NODE`: the restart-seid paved road (render, validate, preflight, apply, wait).
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class RestartSeid extends PavedRoadCommand {
  static override summary = "Restart the seid process inside the node's pod (later controller API; the pod UID stays).";
  static override description = `Renders the restart-seid template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task restart-seid node-0 -n sei",
  ];
  static override kindName = 'restart-seid';
  static override paramFlags = {  };
  static override flags = pavedRoadFlags;
}
