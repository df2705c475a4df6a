/**
 * Shell completion in cobra's protocol, which kubectl (≥ 1.26) speaks to plugins: kubectl runs
 * `kubectl_complete-sei WORD… PARTIAL` and prints what it answers — one candidate per line, then
 * `:N`, cobra's ShellCompDirective (4 = no file completion, 0 = the shell may complete files).
 * `kubectl sei __complete …` answers the same, and `kubectl sei completion bash|zsh|fish`
 * prints a script that asks it, for `kubectl-sei` typed directly.
 *
 * Candidates: command and topic names, flags, a flag's enum values, kinds for `task render`,
 * and from the cluster (with the --kubeconfig/--context/-n typed so far) SeiNode names where a
 * command takes a node, SeiNodeTask names where it takes tasks and plan ids where it takes a
 * plan. A cluster that cannot be reached completes nothing rather than printing an error.
 */
import type { CommandShape } from './front-door.js';

/** cobra's ShellCompDirective values. */
const NO_FILE = 4;
const DEFAULT = 0;

interface FlagShape {
  char?: string;
  type?: string;
  options?: readonly string[];
  description?: string;
  hidden?: boolean;
}

export interface CompletableCommand extends CommandShape {
  flags?: Record<string, FlagShape>;
  args?: Record<string, unknown>;
  summary?: string;
  hidden?: boolean;
  /** Values to offer for flags that take more than a fixed list (e.g. -o jsonpath=…). */
  completeValues?: Record<string, readonly string[]>;
}

type Source = 'nodes' | 'tasks' | 'workflows' | 'plans' | 'kinds' | 'shells';

/** What a positional argument names, by `topic:argument` first, then by argument name. */
const ARGUMENT_SOURCES: Record<string, Source | undefined> = {
  'task:name': 'tasks',
  'workflow:name': 'workflows',
  'node:name': 'nodes',
  'task:kind': 'kinds',
  'workflow:kind': undefined,
  node: 'nodes',
  shell: 'shells',
  planId: 'plans',
};

/** Where each cluster source is listed: apiVersion, kind, and the label that holds the name if not metadata.name. */
const CLUSTER_SOURCES: Record<'nodes' | 'tasks' | 'workflows' | 'plans', { apiVersion: string; kind: string; nameLabel?: string }> = {
  nodes: { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode' },
  tasks: { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask' },
  workflows: { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskWorkflow' },
  plans: { apiVersion: 'v1', kind: 'ConfigMap', nameLabel: 'sei.io/plan-id' },
};

/** Flags whose value is a path: the shell completes files there. */
const FILE_FLAGS = new Set(['kubeconfig', 'filename', 'file', 'values', 'env-file', 'templates-dir', 'state-dir', 'kubeconfig-out', 'seed', 'faults', 'gitops-repo']);

interface Answer {
  candidates: string[];
  directive: number;
}

function format(answer: Answer): string {
  return `${answer.candidates.join('\n')}${answer.candidates.length > 0 ? '\n' : ''}:${answer.directive}\n`;
}

function flagOf(command: CompletableCommand, token: string): [string, FlagShape] | undefined {
  const name = token.replace(/^--?/, '').replace(/=.*$/, '');
  for (const [flagName, flag] of Object.entries(command.flags ?? {})) {
    if (token.startsWith('--') ? flagName === name : flag.char === name) return [flagName, flag];
  }
  return undefined;
}

/** The connection flags typed so far, so cluster lookups ask the cluster the user means. */
function connectionFrom(words: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  const names: Record<string, string> = { '--kubeconfig': 'kubeconfig', '--context': 'context', '--namespace': 'namespace', '-n': 'namespace', '--cluster': 'cluster', '--user': 'user' };
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    const eq = word.indexOf('=');
    const key = names[eq > 0 ? word.slice(0, eq) : word];
    if (!key) continue;
    if (eq > 0) found[key] = word.slice(eq + 1);
    else if (words[i + 1] !== undefined) found[key] = words[(i += 1)]!;
  }
  return found;
}

async function fromCluster(source: keyof typeof CLUSTER_SOURCES, words: readonly string[]): Promise<string[]> {
  try {
    const { connect } = await import('../cluster/index.js');
    const connection = connectionFrom(words);
    const client = await connect({ ...connection, requestTimeout: '5s' });
    const { apiVersion, kind, nameLabel } = CLUSTER_SOURCES[source];
    const list = await client.list(apiVersion, kind, { namespace: client.namespace, ...(nameLabel ? { labelSelector: nameLabel } : {}) });
    const names = list.items.map((item) => (nameLabel ? (item.metadata.labels?.[nameLabel] ?? '') : (item.metadata.name ?? '')));
    return names.filter(Boolean).sort();
  } catch {
    return [];
  }
}

async function kindNames(): Promise<string[]> {
  return (await import('../services/kind-names.js')).kindNames();
}

/** The answer to `__complete WORD… PARTIAL`. */
export async function complete(words: readonly string[], commands: Readonly<Record<string, CompletableCommand>>): Promise<string> {
  const typed = words.slice(0, -1);
  const partial = words.at(-1) ?? '';
  const ids = Object.keys(commands).filter((id) => !commands[id]?.hidden);
  const path: string[] = [];
  let index = 0;
  // Walk the command words typed so far; flags before the command are skipped with their value.
  for (; index < typed.length; index += 1) {
    const word = typed[index]!;
    if (word.startsWith('-')) {
      if (!word.includes('=') && /^(--kubeconfig|--context|--cluster|--user|--namespace|-n|--request-timeout|--as|-v|--v)$/.test(word)) index += 1;
      continue;
    }
    const id = [...path, word].join(':');
    if (!ids.some((candidate) => candidate === id || candidate.startsWith(`${id}:`))) return format({ candidates: [], directive: NO_FILE });
    path.push(word);
    if (commands[id]) {
      index += 1;
      break;
    }
  }
  const command = commands[path.join(':')];
  if (!command) {
    const prefix = path.length > 0 ? `${path.join(':')}:` : '';
    const children = new Map<string, string>();
    for (const id of ids.filter((candidate) => candidate.startsWith(prefix))) {
      const child = id.slice(prefix.length).split(':')[0]!;
      const isLeaf = id.slice(prefix.length) === child;
      if (!children.has(child) || isLeaf) children.set(child, isLeaf ? (commands[id]?.summary ?? '') : '');
    }
    const candidates = [...children].filter(([name]) => name.startsWith(partial)).sort(([a], [b]) => a.localeCompare(b)).map(([name, summary]) => (summary ? `${name}\t${summary.split('\n')[0]}` : name));
    return format({ candidates, directive: NO_FILE });
  }
  const rest = typed.slice(index);
  const flags = Object.entries(command.flags ?? {}).filter(([, flag]) => !flag.hidden);
  // --flag=PARTIAL, or a value after a flag that takes one.
  const eq = partial.indexOf('=');
  const previous = rest.at(-1);
  const valueFlag = partial.startsWith('-') && eq > 0 ? flagOf(command, partial) : previous?.startsWith('-') && !previous.includes('=') ? flagOf(command, previous) : undefined;
  if (valueFlag && valueFlag[1].type !== 'boolean') {
    const [name, flag] = valueFlag;
    const prefix = partial.startsWith('-') && eq > 0 ? partial.slice(0, eq + 1) : '';
    const typedValue = prefix ? partial.slice(eq + 1) : partial;
    const offered = flag.options ?? command.completeValues?.[name];
    if (offered) return format({ candidates: offered.filter((option) => option.startsWith(typedValue)).map((option) => `${prefix}${option}`), directive: NO_FILE });
    if (FILE_FLAGS.has(name)) return format({ candidates: [], directive: DEFAULT });
    if (name === 'node') return format({ candidates: (await fromCluster('nodes', typed)).filter((n) => n.startsWith(typedValue)).map((n) => `${prefix}${n}`), directive: NO_FILE });
    return format({ candidates: [], directive: NO_FILE });
  }
  if (partial.startsWith('-')) {
    const candidates: string[] = [];
    for (const [name, flag] of flags) {
      const summary = (flag.description ?? '').split('\n')[0] ?? '';
      if (`--${name}`.startsWith(partial)) candidates.push(`--${name}\t${summary}`);
      if (flag.char && `-${flag.char}`.startsWith(partial) && partial.length <= 2) candidates.push(`-${flag.char}\t${summary}`);
    }
    return format({ candidates: candidates.sort(), directive: NO_FILE });
  }
  const argument = Object.keys(command.args ?? {})[0];
  const topicKey = `${path[0]}:${argument}`;
  const source = argument ? (topicKey in ARGUMENT_SOURCES ? ARGUMENT_SOURCES[topicKey] : ARGUMENT_SOURCES[argument]) : undefined;
  if (!source) return format({ candidates: [], directive: NO_FILE });
  const values = source === 'kinds' ? await kindNames() : source === 'shells' ? ['bash', 'fish', 'zsh'] : await fromCluster(source, typed);
  return format({ candidates: values.filter((value) => value.startsWith(partial)), directive: NO_FILE });
}

/** `kubectl sei completion SHELL`: a script that asks `kubectl-sei __complete` (cobra's protocol). */
export function completionScript(shell: string): string | undefined {
  const bash = `# bash completion for kubectl-sei (kubectl sei <TAB> needs kubectl_complete-sei on PATH instead)
_kubectl_sei() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out directive
  out=$(kubectl-sei __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  directive=\${out##*:}
  COMPREPLY=()
  while IFS='' read -r line; do
    [[ $line == :* ]] && continue
    COMPREPLY+=("\${line%%$'\\t'*}")
  done <<< "$out"
  if [[ \${#COMPREPLY[@]} -eq 0 && $directive == 0 ]]; then COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -F _kubectl_sei kubectl-sei
`;
  const zsh = `#compdef kubectl-sei
# zsh completion for kubectl-sei
_kubectl_sei() {
  local -a lines candidates
  local out directive
  out=$(kubectl-sei __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return
  lines=("\${(@f)out}")
  directive=\${lines[-1]#:}
  for line in "\${(@)lines[1,-2]}"; do candidates+=("\${line//:/\\\\:}"); done
  candidates=("\${(@)candidates//$'\\t'/:}")
  if (( \${#candidates} )); then _describe 'kubectl-sei' candidates; elif [[ $directive == 0 ]]; then _files; fi
}
compdef _kubectl_sei kubectl-sei
`;
  const fish = `# fish completion for kubectl-sei
function __kubectl_sei_complete
  set -l words (commandline -opc)[2..-1] (commandline -ct)
  kubectl-sei __complete $words 2>/dev/null | string match -v -r '^:'
end
complete -c kubectl-sei -f -a '(__kubectl_sei_complete)'
`;
  return ({ bash, zsh, fish } as Record<string, string>)[shell];
}
