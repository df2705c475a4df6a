/**
 * Flags as data, for the commands the fast path (src/cli/quick.ts) answers without oclif: the
 * oclif command builds its flags from these specs (base-command.ts `oclifFlags`) and the fast
 * path parses argv with node:util's parseArgs from the same specs, so both accept one set of
 * flags with one meaning. Imports nothing: the fast path loads it before deciding anything.
 */
import type { ConnectionOptions } from '../cluster/types.js';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** The one-letter form (-n). */
  readonly char?: string;
  readonly description: string;
  readonly helpGroup?: string;
  /** The only values a string flag takes. */
  readonly options?: readonly string[];
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The parsed values of a set of specs: strings for 'string', booleans for 'boolean'. */
export type FlagValues<T extends FlagSpecs> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string | undefined };

/** kubectl's connection flags (kubectl passes none of its global flags to a plugin). */
export const CONNECTION_FLAGS = {
  kubeconfig: { type: 'string', description: 'Path to the kubeconfig file (only this file; no KUBECONFIG merge).', helpGroup: 'CLUSTER' },
  context: { type: 'string', description: 'The kubeconfig context to use.', helpGroup: 'CLUSTER' },
  cluster: { type: 'string', description: 'The kubeconfig cluster to use.', helpGroup: 'CLUSTER' },
  user: { type: 'string', description: 'The kubeconfig user to use.', helpGroup: 'CLUSTER' },
  namespace: { type: 'string', char: 'n', description: 'Namespace (default: the context\'s namespace, else "default").', helpGroup: 'CLUSTER' },
  'request-timeout': { type: 'string', description: 'Per-request timeout, e.g. 30s (0 = none).', helpGroup: 'CLUSTER' },
  as: { type: 'string', description: 'Username to impersonate for the operation (kubectl --as).', helpGroup: 'CLUSTER' },
} as const satisfies FlagSpecs;

/** The parsed values of the connection flags. */
export type ConnectionFlagValues = FlagValues<typeof CONNECTION_FLAGS>;

export function connectionOptions(flags: ConnectionFlagValues): ConnectionOptions {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    cluster: flags.cluster,
    user: flags.user,
    namespace: flags.namespace,
    requestTimeout: flags['request-timeout'],
    as: flags.as,
  };
}

/** The output formats of the get commands besides kubectl's templates. */
export const GET_FORMATS = ['table', 'wide', 'yaml', 'json', 'name', 'ndjson'] as const;

/** What `kubectl sei <resource> get -o <TAB>` offers. */
export const GET_COMPLETE_VALUES = { output: [...GET_FORMATS, 'jsonpath=', 'jsonpath-file=', 'custom-columns=', 'custom-columns-file='] };

/** kubectl get's flags, shared by `task get`, `node get` and `workflow get`. */
export const GET_FLAGS = {
  output: {
    type: 'string',
    char: 'o',
    description: `Output format: ${GET_FORMATS.join('|')}|jsonpath=…|jsonpath-file=…|custom-columns=…|custom-columns-file=…. Machine formats end a failure with a metav1.Status JSON line on stderr.`,
  },
  selector: { type: 'string', char: 'l', description: 'Label selector, e.g. sei.io/node=node-0.' },
  'field-selector': { type: 'string', description: 'Field selector on metadata.name or metadata.namespace, e.g. metadata.name=my-object.' },
  'all-namespaces': { type: 'boolean', char: 'A', description: 'List in every namespace.' },
  watch: { type: 'boolean', char: 'w', description: 'After listing, print each change as it happens (until Ctrl-C).' },
  'sort-by': { type: 'string', description: 'Sort by the value at a JSONPath, e.g. .metadata.creationTimestamp.' },
  'show-labels': { type: 'boolean', description: 'Add a LABELS column (table and wide).' },
  'no-headers': { type: 'boolean', description: "Leave out the header line (table, wide, custom-columns)." },
  'show-managed-fields': { type: 'boolean', description: 'Keep metadata.managedFields in -o yaml|json|ndjson.' },
} as const satisfies FlagSpecs;

/** `workflow get --node`: only workflows targeting one SeiNode. */
export const WORKFLOW_GET_FLAGS = {
  ...GET_FLAGS,
  node: { type: 'string', description: 'Only workflows targeting this SeiNode.' },
} as const satisfies FlagSpecs;

export type GetFlagValues = FlagValues<typeof WORKFLOW_GET_FLAGS> & ConnectionFlagValues;

/** `version -o json|yaml`. */
export const VERSION_FLAGS = {
  output: { type: 'string', char: 'o', options: ['json', 'yaml'], description: 'Print the fields as json or yaml.' },
} as const satisfies FlagSpecs;
