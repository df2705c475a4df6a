// `kubectl sei task refresh-peers NODE`: DiscoverPeers, then RestartPod with the pod UID read after DiscoverPeers completed.
import { SeiCommand } from '../../cli/base-command.js';
import { nodeArg, pavedRoadFlags, runPavedRoad } from '../../cli/paved-road.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

const { 'dry-run': _dryRun, 'gitops-repo': _repo, 'gitops-path': _path, 'gitops-flavor': _flavor, 'gitops-push': _push, ...flags } = pavedRoadFlags;

export default class RefreshPeers extends SeiCommand {
  static override summary = "Refresh a node's peers: DiscoverPeers (write persistent-peers), then RestartPod (seid reads them on start).";
  static override description = `The peer-refresh sequence of the controller's runbooks: seid only reads persistent-peers when it starts, so the restart follows the discovery. The pod UID for the restart is read only after DiscoverPeers completed. If DiscoverPeers fails, nothing is restarted. --name NAME names the two tasks NAME-discover-peers and NAME-restart-pod.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'both tasks Complete (--no-wait: applied)'], [ExitCode.TaskFailed, 'DiscoverPeers Failed (nothing is restarted) or RestartPod Failed'], [ExitCode.InvalidInput, 'invalid flags or a preflight refusal: nothing was written'], [ExitCode.Timeout, '--timeout expired; the tasks keep running'], ExitCode.ClusterError, [ExitCode.Interrupted, 'Ctrl-C or SIGTERM while waiting: the tasks keep running (re-attach with task wait)']);
  static override examples = ['<%= config.bin %> task refresh-peers node-1 -n sei', '<%= config.bin %> task refresh-peers node-1 -n sei --timeout 10m -o ndjson'];
  static override args = nodeArg;
  static override flags = flags;

  async run(): Promise<void> {
    const { args, flags: parsed } = await this.parse(RefreshPeers);
    this.machineOutput = parsed.output !== undefined;
    await runPavedRoad(this, 'refresh-peers', args.node, { ...parsed, 'dry-run': undefined, 'gitops-repo': undefined, 'gitops-path': undefined, 'gitops-flavor': 'plain', 'gitops-push': false }, parsed.set ?? [], true);
  }
}
