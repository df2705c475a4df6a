// `kubectl sei task restart-pod NODE`: the restart-pod paved road (render, validate, preflight, apply, wait).
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class RestartPod extends PavedRoadCommand {
  static override summary = "Restart a node's pod: read pod NODE-0's uid at the last moment, apply a RestartPod, follow the pod to a Ready replacement.";
  static override description = `Renders the restart-pod template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task restart-pod node-0 -n sei",
    "<%= config.bin %> task restart-pod node-0 -n sei --timeout 5m -o ndjson",
    "<%= config.bin %> task restart-pod node-0 -n sei --dry-run=server -o yaml",
  ];
  static override kindName = 'restart-pod';
  static override paramFlags = {  };
  static override flags = pavedRoadFlags;
}
