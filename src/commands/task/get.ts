// `kubectl sei task get [NAME…]`: list SeiNodeTasks as kubectl-style columns, yaml, json, names or
// kubectl's templates (jsonpath, custom-columns), once or with -w as they change.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { writeStdout } from '../../cli/task-flags.js';
import { SeiError } from '../../errors/sei-error.js';
import type { KubeObject } from '../../cluster/types.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

const FORMATS = ['table', 'wide', 'yaml', 'json', 'name', 'ndjson'] as const;
type Format = (typeof FORMATS)[number];

export default class TaskGet extends SeiCommand {
  static override summary = 'List SeiNodeTasks: phase, reason, target, age.';
  static override description = `kubectl get's habits: -o jsonpath=TEMPLATE|jsonpath-file=FILE|custom-columns=SPEC|custom-columns-file=FILE, --sort-by, --show-labels, --no-headers, --field-selector (metadata.name, metadata.namespace), -w to keep printing changes until Ctrl-C; -o yaml|json leave metadata.managedFields out unless --show-managed-fields.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'listed (also when nothing matched; -w: until Ctrl-C)'], [ExitCode.InvalidInput, 'invalid input (a bad -o template, an unknown name)'], ExitCode.ClusterError);
  static override examples = [
    '<%= config.bin %> task get -n sei',
    '<%= config.bin %> task get -A -o wide',
    '<%= config.bin %> task get -l sei.io/node=node-0 -n sei -o name',
    '<%= config.bin %> task get my-task -n sei -o yaml',
    "<%= config.bin %> task get -n sei -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}'",
    '<%= config.bin %> task get -n sei -o custom-columns=NAME:.metadata.name,PHASE:.status.phase --sort-by=.metadata.creationTimestamp',
    '<%= config.bin %> task get -n sei -w',
  ];
  static completeValues = { output: [...FORMATS, 'jsonpath=', 'jsonpath-file=', 'custom-columns=', 'custom-columns-file='] };
  static override strict = false;
  static override args = { name: Args.string({ description: 'Task names (default: all in the namespace).' }) };
  static override flags = {
    ...connectionFlags,
    output: Flags.string({
      char: 'o',
      description: `Output format: ${FORMATS.join('|')}|jsonpath=…|jsonpath-file=…|custom-columns=…|custom-columns-file=…. Machine formats end a failure with a metav1.Status JSON line on stderr.`,
    }),
    selector: Flags.string({ char: 'l', description: 'Label selector, e.g. sei.io/task-kind=RestartPod.' }),
    'field-selector': Flags.string({ description: 'Field selector, e.g. metadata.name=my-task (SeiNodeTasks support metadata.name and metadata.namespace).' }),
    'all-namespaces': Flags.boolean({ char: 'A', description: 'List tasks in every namespace.' }),
    watch: Flags.boolean({ char: 'w', description: 'After listing, print each change as it happens (until Ctrl-C).' }),
    'sort-by': Flags.string({ description: 'Sort by the value at a JSONPath, e.g. .metadata.creationTimestamp.' }),
    'show-labels': Flags.boolean({ description: 'Add a LABELS column (table and wide).' }),
    'no-headers': Flags.boolean({ description: 'Leave out the header line (table, wide, custom-columns).' }),
    'show-managed-fields': Flags.boolean({ description: 'Keep metadata.managedFields in -o yaml|json|ndjson.' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TaskGet);
    const printers = await import('../../output/kubectl-printers.js');
    const output = flags.output ?? 'table';
    const template = printers.isTemplateOutput(output) ? printers.parseTemplateOutput(output) : undefined;
    if (!template && !(FORMATS as readonly string[]).includes(output)) {
      throw SeiError.invalid(`unable to match a printer suitable for the output format "${output}"`, [], [`allowed formats are: ${FORMATS.join(', ')}, jsonpath, jsonpath-file, custom-columns, custom-columns-file`]);
    }
    const format = (template ? 'table' : output) as Format;
    this.machineOutput = template !== undefined || (format !== 'table' && format !== 'wide');
    const [{ connect }, { listTasks, TASK_LIST_REF }, { formatObjects }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/task-queries.js'),
      import('../../output/printers.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const names = argv as string[];
    const allNamespaces = flags['all-namespaces'];
    const clean = (objects: readonly KubeObject[]) => (flags['show-managed-fields'] ? [...objects] : objects.map(printers.withoutManagedFields));
    const print = (objects: readonly KubeObject[], headers: boolean, single: boolean): string => {
      const shown = clean(flags['sort-by'] ? printers.sortObjects(objects, flags['sort-by']) : objects);
      if (template?.kind === 'jsonpath') {
        const root = single && shown.length === 1 ? shown[0] : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: shown };
        return printers.printJsonPath(template.template, root);
      }
      if (template?.kind === 'custom-columns') return shown.length === 0 ? '' : printers.printCustomColumns(template.columns, shown, headers);
      return formatObjects(shown, format, { single, allNamespaces, noHeaders: !headers, showLabels: flags['show-labels'] });
    };
    const query = {
      ...(names.length > 0 ? { names } : {}),
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
      ...(flags['field-selector'] ? { fieldSelector: flags['field-selector'] } : {}),
      ...(allNamespaces ? { allNamespaces: true } : {}),
    };
    const tableLike = format === 'table' || format === 'wide';
    const nothing = () => this.logToStderr(allNamespaces ? 'No resources found' : `No resources found in ${client.namespace} namespace.`);
    if (!flags.watch) {
      const tasks = await listTasks(client, query);
      if (tasks.length === 0 && tableLike && !template) return nothing();
      writeStdout(print(tasks, !flags['no-headers'], names.length === 1));
      return;
    }
    // -w: the list as usual, then one line (or object) per change, like kubectl get -w.
    const wanted = new Set(names);
    const initial: KubeObject[] = [];
    let synced = false;
    let headers = !flags['no-headers'];
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await client.watch({
      ...TASK_LIST_REF,
      namespace: allNamespaces ? '' : client.namespace,
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
      ...(flags['field-selector'] ? { fieldSelector: flags['field-selector'] } : {}),
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'BOOKMARK' || (wanted.size > 0 && !wanted.has(event.object.metadata.name ?? ''))) return;
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
          const sorted = initial.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
          // Tables print as one block; objects one by one, as kubectl get -w -o json does.
          writeStdout(tableLike || template ? print(sorted, headers, false) : sorted.map((object) => print([object], false, true)).join(''));
        }
        if (initial.length > 0 && tableLike) headers = false;
      },
    });
  }
}
