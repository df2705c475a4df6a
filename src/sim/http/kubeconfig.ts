/**
 * The kubeconfig that points kubectl and kubectl-sei at a running sim: context and cluster
 * `sei-sim`, a bearer-token user, and the fleet namespace. Written with mode 0600 because it
 * holds the token. Pure text building plus one file write.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const SIM_CONTEXT = 'sei-sim';

export function kubeconfigYaml(url: string, token: string, namespace: string, caPem?: string): string {
  const cluster = caPem ? { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : { server: url };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: SIM_CONTEXT, cluster }],
    users: [{ name: SIM_CONTEXT, user: { token } }],
    contexts: [{ name: SIM_CONTEXT, context: { cluster: SIM_CONTEXT, user: SIM_CONTEXT, namespace } }],
    'current-context': SIM_CONTEXT,
    preferences: {},
  });
}

export function writeKubeconfigFile(path: string, yaml: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, yaml, { mode: 0o600 });
}
