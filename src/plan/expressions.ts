/**
 * Template expressions inside a plan: `{{ inputs.x }}`, `{{ item.name }}`, `{{ item.index }}`,
 * `{{ steps.<id>.outputs.<field> }}` and `{{ plan.id }}`. A value that is exactly one expression
 * keeps its type (an integer input stays an integer: the task schemas are typed); anything else
 * renders as a string through Handlebars (noEscape: this is YAML data, not HTML). Owns
 * expression parsing and evaluation only; it knows nothing of tasks or the cluster.
 */
import Handlebars from 'handlebars';

export interface ExprContext {
  inputs: Record<string, unknown>;
  item?: { name: string; index: number };
  steps?: Record<string, { outputs: Record<string, unknown> }>;
  plan?: { id: string; name: string; namespace: string };
}

const SINGLE = /^\s*\{\{\s*([A-Za-z_@][\w.\-@]*)\s*\}\}\s*$/;
const ROOTS = new Set(['inputs', 'item', 'steps', 'plan']);

export class ExpressionError extends Error {
  constructor(message: string, readonly expression: string) {
    super(message);
  }
}

/** Every data path referenced by a template string, as parts (e.g. ['steps','propose','outputs','proposalId']). */
export function templateRefs(text: string): string[][] {
  if (!text.includes('{{')) return [];
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(text);
  } catch (error) {
    throw new ExpressionError(`cannot parse template ${JSON.stringify(text)}: ${(error as Error).message.split('\n')[0]}`, text);
  }
  const refs: string[][] = [];
  const visitExpr = (node: hbs.AST.Node | undefined): void => {
    if (!node) return;
    const n = node as unknown as Record<string, unknown> & { type: string };
    if (n.type === 'PathExpression') {
      const p = node as hbs.AST.PathExpression;
      if (!p.data && p.parts.length > 0) refs.push([...p.parts]);
    } else if (n.type === 'SubExpression') {
      const s = node as hbs.AST.SubExpression;
      for (const param of s.params) visitExpr(param);
    }
  };
  const visitProgram = (program: hbs.AST.Program | undefined): void => {
    if (!program) return;
    for (const statement of program.body) {
      const s = statement as unknown as { type: string };
      if (s.type === 'MustacheStatement') {
        const m = statement as hbs.AST.MustacheStatement;
        // With params the path names a helper, not data.
        if (m.params.length === 0) visitExpr(m.path);
        for (const param of m.params) visitExpr(param);
      } else if (s.type === 'BlockStatement') {
        const b = statement as hbs.AST.BlockStatement;
        for (const param of b.params) visitExpr(param);
        visitProgram(b.program);
        visitProgram(b.inverse);
      }
    }
  };
  visitProgram(ast);
  return refs;
}

/** Every template string inside a value (object, array or scalar), with its dotted location. */
export function templateStrings(value: unknown, at = ''): Array<{ at: string; text: string }> {
  if (typeof value === 'string') return value.includes('{{') ? [{ at, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => templateStrings(v, at ? `${at}.${i}` : String(i)));
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => templateStrings(v, at ? `${at}.${k}` : k));
  }
  return [];
}

export function isKnownRoot(parts: string[]): boolean {
  return ROOTS.has(parts[0] ?? '');
}

function lookup(context: ExprContext, path: string, text: string): unknown {
  let current: unknown = context;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(part in (current as Record<string, unknown>))) {
      throw new ExpressionError(`${path} is not defined (in ${JSON.stringify(text)})`, text);
    }
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined) throw new ExpressionError(`${path} is not defined (in ${JSON.stringify(text)})`, text);
  return current;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Evaluates one template string; a lone expression returns the typed value. */
export function evaluate(text: string, context: ExprContext): unknown {
  if (!text.includes('{{')) return text;
  const single = SINGLE.exec(text);
  if (single) return lookup(context, single[1]!, text);
  let template = compiled.get(text);
  if (!template) {
    template = Handlebars.compile(text, { noEscape: true, strict: true });
    compiled.set(text, template);
  }
  try {
    return template(context);
  } catch (error) {
    throw new ExpressionError(`${(error as Error).message.split('\n')[0]} (in ${JSON.stringify(text)})`, text);
  }
}

/** Evaluates every template string inside a value, keeping structure. */
export function evaluateDeep(value: unknown, context: ExprContext): unknown {
  if (typeof value === 'string') return evaluate(value, context);
  if (Array.isArray(value)) return value.map((v) => evaluateDeep(v, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, evaluateDeep(v, context)]));
  }
  return value;
}

/** `when`: false for '', false, 0, 'false', 'no', 'null', '0', null and undefined. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0) return false;
  if (typeof value === 'string') return !['', 'false', 'no', 'null', '0', 'off'].includes(value.trim().toLowerCase());
  return true;
}

/** Step ids whose outputs a value references. */
export function outputDependencies(value: unknown): Set<string> {
  const deps = new Set<string>();
  for (const { text } of templateStrings(value)) {
    for (const ref of templateRefs(text)) if (ref[0] === 'steps' && ref[1]) deps.add(ref[1]);
  }
  return deps;
}
