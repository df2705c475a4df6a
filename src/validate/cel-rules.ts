/**
 * CEL x-kubernetes-validations: compiles each rule ONCE (cel-js AST cached in a closure) and
 * evaluates it against a node's value the way the apiextensions CEL validator does: `self` is
 * the node, `oldSelf` the correlated old value (transition rules are skipped without one),
 * message / messageExpression / reason / fieldPath shape the error. It does not walk objects.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { FieldCause } from '../errors/index.js';
import type { ValidationRule } from './crd-types.js';
import { forbidden, invalid, required } from './field-errors.js';

type Program = (context: Record<string, unknown>) => unknown;

export interface CompiledRule {
  readonly rule: ValidationRule;
  readonly usesOldSelf: boolean;
  readonly program: Program;
  readonly messageProgram: Program | undefined;
  /** Path suffix from `fieldPath` in apiserver form (`.foo.bar` -> `foo.bar`). */
  readonly fieldSuffix: string;
}

let environment: Environment | undefined;
function env(): Environment {
  // One environment for every rule: self/oldSelf are dynamic (their shape is the schema's).
  environment ??= new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  return environment;
}

const OLD_SELF = /\boldSelf\b/;

/** `.spec['a.b'].c` / `.foo[0]` -> `spec[a.b].c` / `foo[0]`, the field.Path rendering. */
function fieldPathSuffix(fieldPath: string | undefined): string {
  if (!fieldPath) return '';
  return fieldPath
    .replace(/\['([^']*)'\]/g, '[$1]')
    .replace(/^\./, '')
    .replace(/\.\[/g, '[');
}

export function compileRules(rules: ValidationRule[], where: string): CompiledRule[] {
  return rules.map((rule) => {
    let program: Program;
    let messageProgram: Program | undefined;
    try {
      program = env().parse(rule.rule) as unknown as Program;
      messageProgram = rule.messageExpression ? (env().parse(rule.messageExpression) as unknown as Program) : undefined;
    } catch (error) {
      // The apiserver refuses to install a CRD whose rules do not compile; so do we.
      throw new Error(`x-kubernetes-validations at ${where}: cannot compile ${JSON.stringify(rule.rule)}: ${(error as Error).message.split('\n')[0]}`);
    }
    return { rule, usesOldSelf: OLD_SELF.test(rule.rule) || OLD_SELF.test(rule.messageExpression ?? ''), program, messageProgram, fieldSuffix: fieldPathSuffix(rule.fieldPath) };
  });
}

function joinPath(base: string, suffix: string): string {
  if (!suffix) return base;
  if (!base) return suffix;
  return suffix.startsWith('[') ? `${base}${suffix}` : `${base}.${suffix}`;
}

/** cel-go words "no such key: x"; cel-js says "No such key: x" followed by a source excerpt. */
function celErrorText(error: unknown): string {
  const first = ((error as Error)?.message ?? String(error)).split('\n')[0]!.trim();
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/**
 * Evaluates one compiled rule. Returns the cause to report, or undefined when the rule holds
 * (or is a transition rule without an old value). `typeName` is the node's schema type, which
 * the apiserver prints as the "value" of a CEL error ("object", "string", ...).
 */
export function evaluateRule(compiled: CompiledRule, path: string, typeName: string, self: unknown, oldSelf: unknown, hasOld: boolean): FieldCause | undefined {
  if (compiled.usesOldSelf && !hasOld) return undefined;
  const context: Record<string, unknown> = compiled.usesOldSelf ? { self, oldSelf } : { self };
  const { rule } = compiled;
  let result: unknown;
  try {
    result = compiled.program(context);
  } catch (error) {
    return invalid(path, typeName, `${celErrorText(error)} evaluating rule: ${rule.message ?? rule.rule}`);
  }
  if (result === true) return undefined;
  let message = rule.message ?? `failed rule: ${rule.rule.replace(/\s+/g, ' ').trim()}`;
  if (compiled.messageProgram) {
    try {
      const dynamic = compiled.messageProgram(context);
      if (typeof dynamic === 'string' && dynamic.trim() !== '') message = dynamic;
    } catch {
      // The apiserver falls back to message (or the default) when messageExpression fails.
    }
  }
  const field = joinPath(path, compiled.fieldSuffix);
  switch (rule.reason) {
    case 'FieldValueRequired':
      return required(field, message);
    case 'FieldValueForbidden':
      return forbidden(field, message);
    case 'FieldValueDuplicate':
      // field.Duplicate carries the value only: the apiserver drops the rule's message here.
      return { field, type: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(typeName)}` };
    default:
      return invalid(field, typeName, message);
  }
}
