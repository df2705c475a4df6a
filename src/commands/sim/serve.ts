// `kubectl sei sim serve`: run the embedded simulated cluster until SIGINT/SIGTERM.
import * as Flags from '@oclif/core/flags';
import { SeiCommand } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class SimServe extends SeiCommand {
  static override summary = 'Serve a simulated Kubernetes API with the SeiNode/SeiNodeTask controller behaviour.';
  static override description = `Serves https on 127.0.0.1 with a self-signed certificate and a bearer token (both go into the
kubeconfig written by --kubeconfig-out; the token is never printed). Real kubectl works against it.
Human text goes to stderr; with -o json one line {url, kubeconfig, namespace, crd, nodes, fleet, validators} goes to stdout (counted in the store, seed and state dir included). Without --kubeconfig-out the kubeconfig goes to <state-dir>/kubeconfig, else a new temp directory; its path is printed.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'stopped by Ctrl-C or SIGTERM'], [ExitCode.InvalidInput, 'invalid flags, --seed, --faults or --state-dir, or the port is in use']);
  static override examples = [
    '<%= config.bin %> sim serve --fleet 3 --kubeconfig-out ./sim.kubeconfig',
    'kubectl --kubeconfig ./sim.kubeconfig get seinodes -n sei',
    '<%= config.bin %> sim serve --seed fleet.yaml --state-dir .sim --crd latest --port 6443',
    '<%= config.bin %> sim serve --crd latest --fleet 6 --validators 2 --kubeconfig-out ./sim.kubeconfig',
    '<%= config.bin %> sim serve --fleet 2 --faults faults.yaml -o json',
  ];
  static override flags = {
    port: Flags.integer({ description: 'TCP port on 127.0.0.1 (0 picks a free one).', default: 0, min: 0, max: 65535 }),
    fleet: Flags.integer({ description: 'Create N Running full-node SeiNodes node-0 … with static peers and pods node-i-0.', default: 0, min: 0, max: 1000 }),
    validators: Flags.integer({ description: 'Also create N validator SeiNodes validator-0 … on the same chain.', default: 0, min: 0, max: 1000 }),
    namespace: Flags.string({ char: 'n', description: 'Namespace of the fleet and of the kubeconfig context.', default: 'sei' }),
    seed: Flags.string({ description: 'Multi-document YAML of objects to create at start (e.g. `kubectl get seinodes -o yaml` output).' }),
    'kubeconfig-out': Flags.string({ description: 'Write a kubeconfig (context sei-sim, bearer token, CA) to this file (mode 0600).' }),
    'state-dir': Flags.string({ description: 'Persist every object here; a restart continues where it stopped.' }),
    crd: Flags.option({ description: 'Which SeiNodeTask API to serve.', options: ['seed', 'latest'] as const, default: 'seed' })(),
    faults: Flags.string({ description: 'YAML/JSON fault injection config {seed, errorRate, errorCodes, retryAfterSeconds, latencyMs, dropConnectionRate, watchGoneRate, closeWatchAfterEvents, paths}.' }),
    'watch-history': Flags.integer({ description: 'Events kept for resuming watches; older resourceVersions answer 410 Gone.', default: 10_000, min: 1 }),
    output: Flags.option({ char: 'o', description: 'Print the ready line as JSON on stdout.', options: ['json'] as const })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SimServe);
    this.machineOutput = flags.output === 'json';
    const { serveSim } = await import('../../sim/serve.js');
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await serveSim(
      {
        port: flags.port,
        fleet: flags.fleet,
        validators: flags.validators,
        namespace: flags.namespace,
        seedFile: flags.seed,
        kubeconfigOut: flags['kubeconfig-out'],
        stateDir: flags['state-dir'],
        crd: flags.crd,
        faults: flags.faults,
        historyLimit: flags['watch-history'],
      },
      {
        signal: controller.signal,
        onReady: (ready) => {
          this.logToStderr(`simulated cluster serving at ${ready.url} (crd ${ready.crd}, namespace ${ready.namespace}, ${ready.nodes} SeiNode${ready.nodes === 1 ? '' : 's'}, ${ready.validators} of them validator${ready.validators === 1 ? '' : 's'})`);
          this.logToStderr(`kubeconfig: ${ready.kubeconfig}  (kubectl --kubeconfig ${ready.kubeconfig} get seinodes -n ${ready.namespace}; or export KUBECONFIG=${ready.kubeconfig})`);
          this.logToStderr('Press Ctrl-C to stop.');
          // Last, so a script that waits for the ready line finds the human lines already written.
          if (flags.output === 'json') process.stdout.write(`${JSON.stringify(ready)}\n`);
        },
      },
    );
    this.logToStderr('simulated cluster stopped');
  }
}
