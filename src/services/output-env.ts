/**
 * `--output-env KEY=JSONPATH` + `--env-file F`: extracts values from a Complete task with a
 * kubectl-style JSONPath (`{.status.outputs.govSoftwareUpgrade.proposalId}`) and appends
 * shell-safe `KEY='value'` lines. Owns parsing, extraction, quoting and the append; it must not
 * decide whether a task is Complete (the caller only calls it on Complete).
 */
import { appendFile } from 'node:fs/promises';
import { JSONPath } from 'jsonpath-plus';
import { SeiError } from '../errors/sei-error.js';

export interface OutputEnvSpec {
  key: string;
  /** As the user wrote it, e.g. `{.status.outputs.govVote.txHash}`. */
  jsonPath: string;
  /** The jsonpath-plus form, e.g. `$.status.outputs.govVote.txHash`. */
  path: string;
}

const SHELL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** kubectl's template form: braces around a path of .field, ['field'] and [n] steps. */
const KUBECTL_JSONPATH = /^\{(\.[A-Za-z0-9_-]+|\[\d+\]|\['[^']*'\]|\["[^"]*"\])+\}$/;

export function parseOutputEnvSpecs(specs: readonly string[]): OutputEnvSpec[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    const jsonPath = eq < 0 ? '' : spec.slice(eq + 1).trim();
    if (!SHELL_IDENTIFIER.test(key)) {
      throw SeiError.invalid(`--output-env ${JSON.stringify(spec)}: ${JSON.stringify(key)} is not a shell variable name`, [], [
        'use KEY={.status.outputs...} where KEY matches [A-Za-z_][A-Za-z0-9_]*',
      ]);
    }
    if (seen.has(key)) throw SeiError.invalid(`--output-env: ${key} is given twice`);
    seen.add(key);
    const normalized = jsonPath.startsWith('{') ? jsonPath : `{${jsonPath.startsWith('.') ? '' : '.'}${jsonPath}}`;
    if (jsonPath === '' || !KUBECTL_JSONPATH.test(normalized)) {
      throw SeiError.invalid(`--output-env ${JSON.stringify(spec)}: unsupported JSONPath ${JSON.stringify(jsonPath)}`, [], [
        'use a field path such as {.status.outputs.govSoftwareUpgrade.proposalId} (fields, [n] indexes)',
      ]);
    }
    return { key, jsonPath: normalized, path: `$${normalized.slice(1, -1)}` };
  });
}

/** POSIX single-quote escaping: safe for `source`, `set -a; . F`, and `docker --env-file` readers that strip quotes. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** KEY='value' lines, in the order given. A path that matches nothing is an error: nothing is written. */
export function extractOutputEnv(object: unknown, specs: readonly OutputEnvSpec[]): string[] {
  const missing: string[] = [];
  const lines = specs.map(({ key, jsonPath, path }) => {
    const found = JSONPath({ path, json: object as object, wrap: true }) as unknown[];
    if (found.length === 0 || found[0] === undefined || found[0] === null) {
      missing.push(`${key}=${jsonPath}`);
      return '';
    }
    return `${key}=${shellQuote(scalarText(found[0]))}`;
  });
  if (missing.length > 0) {
    throw SeiError.invalid(`--output-env: nothing at ${missing.join(', ')} in the Complete task; no env file line was written`, [], [
      'run `kubectl sei task get NAME -o yaml` to see status.outputs, or `kubectl sei kinds` for each kind\'s outputs',
    ]);
  }
  return lines;
}

/** Appends the lines atomically enough for one writer (a single write call). */
export async function appendEnvFile(file: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await appendFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}
