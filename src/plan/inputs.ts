/**
 * Input resolution: the plan's declared inputs, their defaults, an --inputs file and --set
 * name=value pairs, each converted to the declared type. Pure apart from reading the inputs file.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { SeiError, type FieldCause } from '../errors/index.js';
import type { InputType, PlanManifest, Scalar } from './types.js';

function convert(name: string, raw: unknown, type: InputType, from: string): Scalar | FieldCause {
  const bad = (why: string): FieldCause => ({ field: `inputs.${name}`, type: 'FieldValueInvalid', message: `${from}: ${JSON.stringify(raw)} ${why}` });
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : bad('is not a string');
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      return Number.isInteger(n) ? n : bad('is not an integer');
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      return Number.isFinite(n) ? n : bad('is not a number');
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return bad('is not a boolean (true or false)');
    default:
      return bad('has an unknown type');
  }
}

export interface InputSources {
  /** name=value pairs from --set. */
  set?: string[];
  /** A YAML/JSON mapping file from --inputs. */
  inputsFile?: string;
  /** Already-resolved inputs (from the run's ConfigMap); --set still overrides nothing here. */
  stored?: Record<string, Scalar>;
}

/** Defaults < --inputs file < --set. Unknown names and type mismatches are errors (exit 2). */
export function resolveInputs(manifest: PlanManifest, sources: InputSources = {}): Record<string, Scalar> {
  const declared = manifest.spec.inputs ?? {};
  const names = Object.keys(declared);
  const causes: FieldCause[] = [];
  const values: Record<string, Scalar> = {};
  for (const [name, input] of Object.entries(declared)) if (input.default !== undefined) values[name] = input.default;
  const put = (name: string, raw: unknown, from: string): void => {
    const input = declared[name];
    if (!input) {
      causes.push({ field: `inputs.${name}`, type: 'FieldValueNotFound', message: `${from}: the plan declares no input ${JSON.stringify(name)} (inputs: ${names.join(', ') || 'none'})` });
      return;
    }
    const value = convert(name, raw, input.type, from);
    if (typeof value === 'object') causes.push(value);
    else if (input.enum && !input.enum.includes(value)) {
      causes.push({ field: `inputs.${name}`, type: 'FieldValueNotSupported', message: `${from}: ${JSON.stringify(value)} is not one of ${input.enum.map((e) => JSON.stringify(e)).join(', ')}` });
    } else values[name] = value;
  };
  if (sources.stored) for (const [name, value] of Object.entries(sources.stored)) put(name, value, 'stored inputs');
  if (sources.inputsFile) {
    let data: unknown;
    try {
      data = parseYaml(readFileSync(sources.inputsFile, 'utf8'));
    } catch (error) {
      throw SeiError.invalid(`--inputs ${sources.inputsFile}: ${(error as Error).message.split('\n')[0]}`, [], ['Give a YAML or JSON mapping of input names to values.']);
    }
    if (data !== null && data !== undefined) {
      if (typeof data !== 'object' || Array.isArray(data)) throw SeiError.invalid(`--inputs ${sources.inputsFile}: must be a mapping of input names to values`);
      for (const [name, raw] of Object.entries(data as Record<string, unknown>)) put(name, raw, `--inputs ${sources.inputsFile}`);
    }
  }
  for (const pair of sources.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      causes.push({ field: '--set', type: 'FieldValueInvalid', message: `${JSON.stringify(pair)} is not name=value` });
      continue;
    }
    put(pair.slice(0, eq), pair.slice(eq + 1), `--set ${pair.slice(0, eq)}`);
  }
  for (const [name, input] of Object.entries(declared)) {
    if (values[name] === undefined) {
      causes.push({ field: `inputs.${name}`, type: 'FieldValueRequired', message: `input ${JSON.stringify(name)} (${input.type}) has no default and was not given${input.description ? `: ${input.description}` : ''}` });
    }
  }
  if (causes.length > 0) throw SeiError.invalid('invalid plan inputs', causes, [`Set inputs with --set name=value or --inputs FILE; this plan declares: ${names.join(', ') || 'none'}.`]);
  return values;
}
