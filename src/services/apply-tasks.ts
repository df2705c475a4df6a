/**
 * Writing SeiNodeTasks: validate ALL documents first (nothing is written unless every one is
 * valid), then preflight each, then server-side apply each with field manager kubectl-sei
 * (client.apply). Records each applied object's metadata.generation for the wait's generation
 * gate. `--dry-run=client` prints without any cluster write; `--dry-run=server` sends dryRun=All.
 * It does not wait (follow-tasks does) and does not print (the command does).
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import type { Catalog } from '../catalog/types.js';
import { SeiError } from '../errors/sei-error.js';
import type { Progress } from '../output/progress.js';
import { preflightTask, type PreflightResult, TASK_API_VERSION, TASK_KIND } from './preflight.js';
import { validateTaskObjects, type ObjectToValidate } from './validate-objects.js';

export type DryRun = 'none' | 'client' | 'server';

export type ApplyAction = 'created' | 'configured' | 'attached' | 'replaced' | 'dry-run';

export interface AppliedTask {
  name: string;
  namespace: string;
  action: ApplyAction;
  object: KubeObject;
  /** metadata.generation after the write: a verdict counts once observedGeneration reaches it. */
  generation: number;
  /** For a dry run: what the write would have done (kubectl's "created (server dry run)"). */
  wouldBe?: 'created' | 'configured' | 'replaced';
}

/** The word after `seinodetask.sei.io/NAME`, as kubectl prints it: `created (server dry run)`. */
export function actionText(applied: AppliedTask, dryRun: DryRun = 'none'): string {
  if (applied.action !== 'dry-run') return applied.action;
  return `${applied.wouldBe ?? 'created'} (${dryRun === 'server' ? 'server dry run' : 'dry run'})`;
}

export interface WriteOptions {
  dryRun?: DryRun;
  progress: Progress;
}

async function waitUntilGone(client: ClusterClient, name: string, namespace: string): Promise<void> {
  // Bounded: a SeiNodeTask has no finalizers, so deletion is immediate on a healthy apiserver.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const still = await client.get({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name, namespace });
    if (!still) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw SeiError.cluster('Conflict', `SeiNodeTask "${name}" is still being deleted; --replace cannot recreate it yet`, ['retry in a few seconds'], 409);
}

/** One preflighted write: attach, or (replace: delete, then) finalize late values and apply. */
export async function writeTask(client: ClusterClient, object: KubeObject, preflight: PreflightResult, options: WriteOptions): Promise<AppliedTask> {
  const name = object.metadata.name ?? '';
  const namespace = object.metadata.namespace ?? client.namespace;
  if (preflight.action === 'attach' && preflight.existing) {
    return { name, namespace, action: 'attached', object: preflight.existing, generation: preflight.existing.metadata.generation ?? 1 };
  }
  if (preflight.action === 'replace' && options.dryRun !== 'server') {
    await client.delete({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name, namespace });
    await waitUntilGone(client, name, namespace);
    options.progress.note(`seinodetask.sei.io/${name} deleted (--replace)`);
  }
  const final = await preflight.finalize();
  const applied = await client.apply(final, options.dryRun === 'server' ? { dryRun: 'server' } : {});
  const effect = preflight.action === 'replace' ? 'replaced' : preflight.existing ? 'configured' : 'created';
  const action: ApplyAction = options.dryRun === 'server' ? 'dry-run' : effect;
  return { name, namespace, action, object: applied, generation: applied.metadata.generation ?? 1, ...(action === 'dry-run' ? { wouldBe: effect } : {}) };
}

export interface ApplyDocumentsOptions extends WriteOptions {
  client?: ClusterClient;
  catalog?: Catalog;
  replace?: boolean;
  /** false: skip preflight's target checks (`--no-preflight`). */
  targetChecks?: boolean;
  /** For objects without metadata.namespace; the client's namespace otherwise. */
  namespace?: string;
}

/**
 * Validate all → preflight all → write each. With dryRun 'client' no cluster is needed: the
 * objects are validated and returned as they would be sent.
 */
export async function applyDocuments(docs: readonly ObjectToValidate[], options: ApplyDocumentsOptions): Promise<AppliedTask[]> {
  const namespace = options.namespace ?? options.client?.namespace ?? 'default';
  const withNamespace = docs.map((doc) => ({ ...doc, object: { ...doc.object, metadata: { ...doc.object.metadata, namespace: doc.object.metadata?.namespace ?? namespace } } }));
  await validateTaskObjects(withNamespace, options.catalog);
  const names = new Set<string>();
  for (const { object } of withNamespace) {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    if (names.has(key)) throw SeiError.invalid(`SeiNodeTask ${key} appears twice in the input; nothing was written`);
    names.add(key);
  }
  if (options.dryRun === 'client') {
    return withNamespace.map(({ object }) => ({ name: object.metadata.name ?? '', namespace: object.metadata.namespace ?? namespace, action: 'dry-run', object, generation: 0 }));
  }
  const client = options.client;
  if (!client) throw new Error('applyDocuments needs a cluster client unless --dry-run=client');
  // Preflight everything before the first write: a refusal of document 3 must not leave 1 and 2 applied.
  const checked: Array<{ object: KubeObject; preflight: PreflightResult }> = [];
  for (const { object } of withNamespace) {
    checked.push({ object, preflight: await preflightTask(client, object, { replace: options.replace ?? false, podUid: 'keep', nameFrom: 'manifest', targetChecks: options.targetChecks ?? true, warn: (m) => options.progress.note(`Warning: ${m}`), ...(options.catalog ? { catalog: options.catalog } : {}) }) });
  }
  const results: AppliedTask[] = [];
  for (const { object, preflight } of checked) results.push(await writeTask(client, object, preflight, options));
  return results;
}

/** Reads FILE|DIR|- into documents with source positions (src/validate's reader). */
export async function readTaskDocuments(inputs: readonly string[]): Promise<ObjectToValidate[]> {
  const { readManifestInputs, parseManifests } = await import('../validate/index.js');
  const docs: ObjectToValidate[] = [];
  for (const input of inputs) {
    for (const file of await readManifestInputs(input)) {
      for (const doc of parseManifests(file.text, file.file)) {
        docs.push({ object: doc.object as KubeObject, file: file.file, positionOf: (path: string) => doc.positionOf(path) });
      }
    }
  }
  if (docs.length === 0) throw SeiError.invalid(`no documents found in ${inputs.join(', ')}`, [], ['pass a YAML/JSON file, a directory of them, or - for stdin']);
  return docs;
}
