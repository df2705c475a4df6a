/**
 * `kubectl sei task get`, `node get` and `workflow get`: one implementation of kubectl get's
 * habits (-o table|wide|yaml|json|name|ndjson|jsonpath…|custom-columns…, --sort-by,
 * --show-labels, --no-headers, -l, --field-selector, -A, -w, managedFields hidden) for the three
 * resources, which differ only in the row of GET_RESOURCES that says how to list them and how
 * to draw their table. The oclif commands and the fast path (quick.ts) both call runGet.
 */
import { byStorageKey } from '../cluster/order.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import { connectionOptions, GET_FORMATS, type GetFlagValues } from './flag-specs.js';
import { writeStdout } from './stdout.js';
import type { TableOptions } from '../output/printers.js';
import type { ObjectQuery } from '../services/named-objects.js';

/** What the get commands ask for; `node` is workflow get --node. */
export type GetQuery = ObjectQuery & { node?: string };

type Table = (objects: readonly KubeObject[], options: TableOptions) => string;

/** What differs between the resources: how to list them, how to watch them, their table. */
interface GetBehaviour {
  ref: { apiVersion: string; kind: string };
  list(client: ClusterClient, query: GetQuery): Promise<KubeObject[]>;
  /** Loaded while the list request is in flight: only the request is on the way to the answer. */
  table(): Promise<Table>;
  /** Whether a watched object belongs in the output (what the list filters beyond the selectors). */
  keeps?(object: KubeObject, query: GetQuery): boolean;
}

export const GET_RESOURCES = {
  task: async (): Promise<GetBehaviour> => {
    const { listTasks, TASK_LIST_REF } = await import('../services/task-queries.js');
    return { ref: TASK_LIST_REF, list: listTasks, table: async () => (await import('../output/printers.js')).taskTable };
  },
  node: async (): Promise<GetBehaviour> => {
    const [{ listNodes }, { NODE_API }] = await Promise.all([import('../services/nodes.js'), import('../services/workflow-preflight.js')]);
    return { ref: NODE_API, list: listNodes, table: async () => (await import('../output/node-printers.js')).nodeTable };
  },
  workflow: async (): Promise<GetBehaviour> => {
    const [{ listWorkflows }, { WORKFLOW_API }, { workflowTarget }] = await Promise.all([
      import('../services/workflow-queries.js'),
      import('../services/workflow-preflight.js'),
      import('../output/node-view.js'),
    ]);
    return {
      ref: WORKFLOW_API,
      list: listWorkflows,
      table: async () => (await import('../output/node-printers.js')).workflowTable,
      keeps: (object, query) => !query.node || workflowTarget(object) === query.node,
    };
  },
} as const;

export type GetResource = keyof typeof GET_RESOURCES;

/** Where a get command reports besides stdout; the oclif command and the fast path each supply it. */
export interface GetIo {
  /** Called once the output format is known: machine formats end a failure with a Status line. */
  machineOutput(machine: boolean): void;
  stderr(line: string): void;
  /** Called while the list request is in flight: whatever stdout needs before the first write. */
  prepareStdout?(): void;
}

export async function runGet(resource: GetResource, names: readonly string[], flags: GetFlagValues, io: GetIo): Promise<void> {
  const output = flags.output ?? 'table';
  const plain = (GET_FORMATS as readonly string[]).includes(output);
  type KubectlPrinters = typeof import('../output/kubectl-printers.js');
  // A template is read and checked before any request, as kubectl does; the plain formats need
  // the printers only once the answer is in, so they load while the request is in flight.
  let printers: KubectlPrinters | undefined = plain ? undefined : await import('../output/kubectl-printers.js');
  const template = printers?.isTemplateOutput(output) ? printers.parseTemplateOutput(output) : undefined;
  if (!template && !plain) {
    throw SeiError.invalid(`unable to match a printer suitable for the output format "${output}"`, [], [`allowed formats are: ${GET_FORMATS.join(', ')}, jsonpath, jsonpath-file, custom-columns, custom-columns-file`]);
  }
  const format = (template ? 'table' : output) as (typeof GET_FORMATS)[number];
  io.machineOutput(template !== undefined || (format !== 'table' && format !== 'wide'));
  const [{ connect }, behaviour] = await Promise.all([import('../cluster/index.js'), GET_RESOURCES[resource]()]);
  const client = await connect(connectionOptions(flags));
  // What only printing needs is loaded while the first request is in flight (GetBehaviour.table).
  let formatObjects: (typeof import('../output/printers.js'))['formatObjects'] | undefined;
  let table: Table | undefined;
  const prepareOutput = async (): Promise<void> => {
    [{ formatObjects }, table, printers] = await Promise.all([import('../output/printers.js'), behaviour.table(), printers ?? import('../output/kubectl-printers.js')]);
    io.prepareStdout?.();
  };
  const allNamespaces = flags['all-namespaces'] === true;
  const print = (objects: readonly KubeObject[], headers: boolean, single: boolean): string => {
    if (!printers || !formatObjects || !table) throw new Error('get: printing before prepareOutput');
    const sorted = flags['sort-by'] ? printers.sortObjects(objects, flags['sort-by']) : objects;
    const shown = flags['show-managed-fields'] ? [...sorted] : sorted.map(printers.withoutManagedFields);
    if (template?.kind === 'jsonpath') {
      const root = single && shown.length === 1 ? shown[0] : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: shown };
      return printers.printJsonPath(template.template, root);
    }
    if (template?.kind === 'custom-columns') return shown.length === 0 ? '' : printers.printCustomColumns(template.columns, shown, headers);
    return formatObjects(shown, format, { single, allNamespaces, noHeaders: !headers, showLabels: flags['show-labels'] === true, table });
  };
  const query: GetQuery = {
    ...(names.length > 0 ? { names: [...names] } : {}),
    ...(flags.selector ? { labelSelector: flags.selector } : {}),
    ...(flags['field-selector'] ? { fieldSelector: flags['field-selector'] } : {}),
    ...(allNamespaces ? { allNamespaces: true } : {}),
    ...(flags.node ? { node: flags.node } : {}),
  };
  const tableLike = format === 'table' || format === 'wide';
  const nothing = () => io.stderr(allNamespaces ? 'No resources found' : `No resources found in ${client.namespace} namespace.`);
  if (!flags.watch) {
    const listing = behaviour.list(client, query);
    const [objects] = await Promise.all([listing, prepareOutput()]);
    if (objects.length === 0 && tableLike && !template) return nothing();
    writeStdout(print(objects, !flags['no-headers'], names.length === 1));
    return;
  }
  // -w: the list as usual, then one line (or object) per change, like kubectl get -w.
  await prepareOutput();
  const wanted = new Set(names);
  const initial: KubeObject[] = [];
  let synced = false;
  let headers = !flags['no-headers'];
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await client.watch({
    ...behaviour.ref,
    namespace: allNamespaces ? '' : client.namespace,
    ...(flags.selector ? { labelSelector: flags.selector } : {}),
    ...(flags['field-selector'] ? { fieldSelector: flags['field-selector'] } : {}),
    signal: stop.signal,
    onEvent: (event) => {
      if (event.type === 'BOOKMARK' || (wanted.size > 0 && !wanted.has(event.object.metadata.name ?? ''))) return;
      if (behaviour.keeps && !behaviour.keeps(event.object, query)) return;
      if (!synced) {
        initial.push(event.object);
        return;
      }
      writeStdout(print([event.object], headers, true));
      if (tableLike) headers = false;
    },
    onSynced: () => {
      if (synced) return;
      synced = true;
      if (initial.length === 0 && tableLike && !template) nothing();
      else {
        const sorted = initial.sort(byStorageKey);
        // Tables print as one block; objects one by one, as kubectl get -w -o json does.
        writeStdout(tableLike || template ? print(sorted, headers, false) : sorted.map((object) => print([object], false, true)).join(''));
      }
      if (initial.length > 0 && tableLike) headers = false;
    },
  });
}
