/** `kubectl sei version [-o json|yaml]`: the build, the Node.js it runs on and the platform. */
import { buildInfo } from '../domain/build-info.js';

export async function versionText(output: 'json' | 'yaml' | undefined): Promise<string> {
  const info = { ...buildInfo(), nodeVersion: process.version, platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` };
  if (output === 'json') return `${JSON.stringify({ clientVersion: info }, null, 2)}\n`;
  if (output === 'yaml') {
    const { toSafeYaml } = await import('../domain/yaml.js');
    return toSafeYaml({ clientVersion: info });
  }
  return `kubectl-sei ${info.version} (commit ${info.gitCommit.slice(0, 12)}${info.gitTreeState === 'dirty' ? '-dirty' : ''}, built ${info.buildDate}, ${info.platform}, node ${info.nodeVersion})\n`;
}
