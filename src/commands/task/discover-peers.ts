// `kubectl sei task discover-peers NODE`: the discover-peers paved road (render, validate, preflight, apply, wait).
import { PavedRoadCommand, pavedRoadFlags } from '../../cli/paved-road.js';

export default class DiscoverPeers extends PavedRoadCommand {
  static override summary = "Re-resolve a node's spec.peers into config.toml (seid reads it on its next restart: prefer refresh-peers).";
  static override description = `Renders the discover-peers template, validates it as the API server would, runs the preflight checks, server-side applies it (field manager kubectl-sei) and follows its conditions to a verdict.`;
  static override examples = [
    "<%= config.bin %> task discover-peers node-1 -n sei",
    "<%= config.bin %> task discover-peers node-1 -n sei --no-wait",
  ];
  static override kindName = 'discover-peers';
  static override paramFlags = {  };
  static override flags = pavedRoadFlags;
}
