// `kubectl sei task refresh-peers NODE`: DiscoverPeers, then RestartPod with the pod UID read after DiscoverPeers completed.
import { SeiCommand } from '../../cli/base-command.js';
import { EXIT_CODES_HELP, nodeArg, pavedRoadFlags, runPavedRoad } from '../../cli/paved-road.js';

const { 'dry-run': _dryRun, 'gitops-repo': _repo, 'gitops-path': _path, 'gitops-flavor': _flavor, 'gitops-push': _push, ...flags } = pavedRoadFlags;

export default class RefreshPeers extends SeiCommand {
  static override summary = "Refresh a node's peers: DiscoverPeers (write persistent-peers), then RestartPod (seid reads them on start).";
  static override description = `${RefreshPeers.summary}\n\nThe peer-refresh sequence of the controller's runbooks: seid only reads persistent-peers when it starts, so the restart follows the discovery. The pod UID for the restart is read only after DiscoverPeers completed. If DiscoverPeers fails, nothing is restarted. --name NAME names the two tasks NAME-discover-peers and NAME-restart-pod.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> task refresh-peers node-1 -n sei', '<%= config.bin %> task refresh-peers node-1 -n sei --timeout 10m -o ndjson'];
  static override args = nodeArg;
  static override flags = flags;

  async run(): Promise<void> {
    const { args, flags: parsed } = await this.parse(RefreshPeers);
    this.machineOutput = parsed.output !== undefined;
    await runPavedRoad(this, 'refresh-peers', args.node, { ...parsed, 'dry-run': undefined, 'gitops-repo': undefined, 'gitops-path': undefined, 'gitops-flavor': 'plain', 'gitops-push': false }, parsed.set ?? [], true);
  }
}
