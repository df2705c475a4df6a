#!/usr/bin/env node
// `npm run demo`: the main job on the embedded simulated cluster, run as a user would run it.
// Starts the sim in-process (a fleet of 3 SeiNodes + one without peers), writes a temporary
// kubeconfig, then runs the BUILT bin/kubectl-sei: restart a pod, refresh a node's peers, show
// a refused DiscoverPeers and one that the controller fails with ParamsBuildFailed, list tasks.
// Exits 0 only when every command's exit code is the expected one.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'kubectl-sei');
const { startSim } = await import(join(root, 'dist', 'sim', 'index.js'));

const namespace = 'sei';
const lonely = {
  apiVersion: 'sei.io/v1alpha1',
  kind: 'SeiNode',
  metadata: { name: 'node-lonely', namespace, annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.5' } },
  spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {} },
};
const sim = await startSim({ namespace, fleet: 3, seedObjects: [lonely] });
const dir = mkdtempSync(join(tmpdir(), 'kubectl-sei-demo-'));
const kubeconfig = join(dir, 'kubeconfig');
sim.writeKubeconfig(kubeconfig);
// A DiscoverPeers written by hand, applied with --no-preflight so the controller itself decides.
const manifest = join(dir, 'discover-peers-lonely.yaml');
writeFileSync(
  manifest,
  `apiVersion: sei.io/v1alpha1
kind: SeiNodeTask
metadata:
  name: node-lonely-discover-peers
  namespace: ${namespace}
spec:
  kind: DiscoverPeers
  target:
    nodeRef:
      name: node-lonely
  discoverPeers: {}
`,
);

const tty = process.stdout.isTTY;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s) => (tty ? `\x1b[31m${s}\x1b[0m` : s);

function kubectlSei(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, '--kubeconfig', kubeconfig], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const steps = [
  { what: 'restart a pod: the live pod uid is read at the last moment, the replacement followed to Ready', args: ['task', 'restart-pod', 'node-0', '-n', namespace], expect: 0 },
  { what: "refresh a node's peers: DiscoverPeers, then RestartPod", args: ['task', 'refresh-peers', 'node-1', '-n', namespace], expect: 0 },
  { what: 'DiscoverPeers on a node without spec.peers: refused by preflight, nothing written', args: ['task', 'discover-peers', 'node-lonely', '-n', namespace], expect: 2 },
  { what: 'the same task forced past preflight: the controller fails it (ParamsBuildFailed); -o name ends stderr with a Status', args: ['task', 'apply', '-f', manifest, '--no-preflight', '--wait', '--timeout', '1m', '-o', 'name'], expect: 1 },
  { what: 'list the tasks', args: ['task', 'get', '-n', namespace, '-o', 'wide'], expect: 0 },
];

let ok = true;
try {
  console.log(bold(`simulated cluster at ${sim.url} (kubeconfig ${kubeconfig})\n`));
  for (const step of steps) {
    console.log(bold(`# ${step.what}`));
    console.log(bold(`$ kubectl sei ${step.args.join(' ')}`));
    const code = await kubectlSei(step.args);
    const good = code === step.expect;
    ok &&= good;
    console.log(good ? green(`→ exit ${code} (expected ${step.expect})\n`) : red(`→ exit ${code}, expected ${step.expect}\n`));
  }
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(ok ? green(bold('demo: every verdict was the expected one')) : red(bold('demo: some verdicts were not the expected ones')));
process.exit(ok ? 0 : 1);
