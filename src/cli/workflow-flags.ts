/**
 * Flags shared by the `workflow` commands and the mapping of `workflow state-sync`'s flags to
 * the kind's parameters (templates/workflows/state-sync.meta.yaml). Imports only @oclif/core
 * and light modules: services are loaded lazily inside each run().
 */
import * as Flags from '@oclif/core/flags';
import { SeiError } from '../errors/sei-error.js';
import { outputFlag, timeoutFlag } from './task-flags.js';

/** --migration values → the CRD's ConfigMigrationKind. */
// GigaStore is seictl's spelling (`seictl workflow state-sync --migration GigaStore`), accepted as well.
export const MIGRATIONS: Record<string, string> = { 'giga-store': 'GigaStore', GigaStore: 'GigaStore' };

export const workflowRunFlags = {
  output: outputFlag(['yaml', 'json', 'name', 'ndjson'], 'Print the final workflow as yaml|json|name, or stream every observed object as ndjson. Default: progress on stderr only.'),
  timeout: timeoutFlag('Default 30m (adoption waits up to requirePhaseTimeout, then the recipe runs).'),
  wait: Flags.boolean({ default: true, allowNo: true, description: 'Wait for the verdict (--no-wait: apply and return).' }),
  'dry-run': Flags.option({ options: ['client', 'server'] as const, description: 'client: print the rendered workflow, no cluster access; server: preflight + apiserver admission with dryRun=All.' })(),
  preflight: Flags.boolean({ default: true, allowNo: true, description: '--no-preflight skips the target checks (full node, witnesses, held node, paused) and lets the controller decide.' }),
  yes: Flags.boolean({ char: 'y', description: "Confirm the data wipe without typing the node's name (required when not on a terminal)." }),
};

export const stateSyncFlags = {
  migration: Flags.string({ options: Object.keys(MIGRATIONS), description: 'Run a config migration inside the wipe: giga-store = the giga SS-store migration (app.toml ss-enable, evm-ss-split, sc-enable).' }),
  backend: Flags.option({ options: ['pebbledb', 'rocksdb'] as const, description: 'GigaStore SS backend (default pebbledb; rocksdb needs a seid image built with -tags rocksdbBackend).', dependsOn: ['migration'] })(),
  'rpc-servers': Flags.string({ multiple: true, description: 'A light-client witness host:port (repeatable, at least two; default: the node\'s status.resolvedStateSyncers).' }),
  'require-phase': Flags.option({ options: ['Initializing', 'Running', 'Failed'] as const, description: 'The node phase required before adoption (default Running).' })(),
  'require-phase-timeout': Flags.string({ description: 'How long to wait for --require-phase before TargetPhaseTimeout (Go duration, default 5m).' }),
  name: Flags.string({ description: 'Workflow name (default: <node>-state-sync-<hash of params>).' }),
};

/** state-sync's flags → --set lines of the state-sync kind. */
export function stateSyncSet(flags: { migration?: string; backend?: string; 'rpc-servers'?: string[]; 'require-phase'?: string; 'require-phase-timeout'?: string }): string[] {
  const set: string[] = [];
  if (flags.migration) set.push(`migration=${MIGRATIONS[flags.migration]}`);
  if (flags.backend) set.push(`backend=${flags.backend}`);
  const servers = flags['rpc-servers'] ?? [];
  if (servers.length === 1) {
    throw SeiError.invalid('--rpc-servers needs at least two witnesses (the light client cross-checks the trust point)', [{ field: 'spec.stateSync.rpcServers', type: 'FieldValueInvalid', message: 'should have at least 2 items' }], ['repeat it: --rpc-servers a:26657 --rpc-servers b:26657']);
  }
  if (servers.length > 0) set.push(`rpcServers=${JSON.stringify(servers)}`);
  if (flags['require-phase']) set.push(`requirePhase=${flags['require-phase']}`);
  if (flags['require-phase-timeout']) set.push(`requirePhaseTimeout=${flags['require-phase-timeout']}`);
  return set;
}
