// Our CRDs (schemas/crds) must say exactly what the upstream sei-k8s-controller CRDs say:
// the same documents accepted and refused, with the same causes, and every upstream CEL rule,
// enum and validation keyword present at the same path. Both are compiled by our engine, so
// this catches drift in the definitions; test/unit/validate-crd checks the engine's wording.
import { describe, expect, it } from 'vitest';
import { compileCrdValidator, loadProjectCrd, type CrdDocument, type JsonSchemaProps } from '../../src/validate/index.js';
import { nodeCorpus, taskCorpus, upstream, UPSTREAM_FILES, UPSTREAM_WORKFLOW_FILE, workflowCorpus, type Case, type Flavor } from './crd-agreement-corpus.js';


function causesOf(crd: CrdDocument, c: Case): Array<{ field: string; type?: string; message: string }> {
  const { causes } = compileCrdValidator(crd).validate(c.object, { oldObject: c.oldObject });
  return causes.map(({ field, type, message }) => ({ field, type, message })).sort((a, b) => `${a.field} ${a.message}`.localeCompare(`${b.field} ${b.message}`));
}

describe('our CRDs agree with upstream sei-k8s-controller CRDs', () => {
  const flavors: Flavor[] = ['seed', 'latest'];
  for (const flavor of flavors) {
    for (const plural of ['seinodetasks', 'seinodes'] as const) {
      const corpus = plural === 'seinodetasks' ? taskCorpus(flavor) : nodeCorpus(flavor);
      describe(`${plural} (${flavor})`, () => {
        const ours = loadProjectCrd(plural, flavor);
        const theirs = upstream(UPSTREAM_FILES[plural][flavor]);

        it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
          const expected = causesOf(theirs, c);
          expect(causesOf(ours, c)).toEqual(expected);
        });

        it('the corpus has both valid and invalid documents', () => {
          const verdicts = corpus.map((c) => causesOf(theirs, c).length === 0);
          expect(verdicts.filter(Boolean).length).toBeGreaterThan(2);
          expect(verdicts.filter((v) => !v).length).toBeGreaterThan(5);
        });

        it('every upstream CEL rule, enum and validation keyword is in ours at the same path', () => {
          const mine = flatten(schemaOf(ours));
          const missing: string[] = [];
          for (const [path, node] of flatten(schemaOf(theirs))) {
            const our = mine.get(path);
            if (!our) {
              // Only allowed below a subtree we deliberately keep permissive (preserve-unknown).
              if (!permissiveAncestor(mine, path)) missing.push(`${path}: not declared`);
              continue;
            }
            for (const key of KEYWORDS) {
              // A subtree we keep permissive on purpose differs only in preserving unknown fields.
              if (key === 'x-kubernetes-preserve-unknown-fields' && our[key] === true && PERMISSIVE.has(path)) continue;
              if (JSON.stringify(norm(key, node[key])) !== JSON.stringify(norm(key, our[key]))) missing.push(`${path}: ${key} ${JSON.stringify(node[key])} != ${JSON.stringify(our[key])}`);
            }
          }
          expect(missing).toEqual([]);
        });
      });
    }
  }

  // The workflow API exists only at the later version (upstream api/v1alpha1/seinodetaskworkflow_types.go, 2d670ad).
  describe('seinodetaskworkflows (latest)', () => {
    const ours = loadProjectCrd('seinodetaskworkflows', 'latest');
    const theirs = upstream(UPSTREAM_WORKFLOW_FILE);

    it.each(workflowCorpus().map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(causesOf(ours, c)).toEqual(causesOf(theirs, c));
    });

    it('the corpus has both valid and invalid documents', () => {
      const verdicts = workflowCorpus().map((c) => causesOf(theirs, c).length === 0);
      expect(verdicts.filter(Boolean).length).toBeGreaterThan(4);
      expect(verdicts.filter((v) => !v).length).toBeGreaterThan(8);
    });

    it('every upstream CEL rule, enum and validation keyword is in ours at the same path', () => {
      const mine = flatten(schemaOf(ours));
      const missing: string[] = [];
      for (const [path, node] of flatten(schemaOf(theirs))) {
        const our = mine.get(path);
        if (!our) {
          if (!permissiveAncestor(mine, path)) missing.push(`${path}: not declared`);
          continue;
        }
        for (const key of KEYWORDS) {
          if (JSON.stringify(norm(key, node[key])) !== JSON.stringify(norm(key, our[key]))) missing.push(`${path}: ${key} ${JSON.stringify(node[key])} != ${JSON.stringify(our[key])}`);
        }
      }
      expect(missing).toEqual([]);
    });

    it('names, scope, printer columns and the status subresource match', () => {
      const pick = (crd: CrdDocument) => ({ names: crd.spec.names, scope: crd.spec.scope, columns: crd.spec.versions[0]!.additionalPrinterColumns, sub: crd.spec.versions[0]!.subresources });
      expect(pick(ours)).toEqual(pick(theirs));
    });
  });

  it('the corpus has at least 40 SeiNodeTasks per flavor set and covers SeiNodes', () => {
    expect(taskCorpus('seed').length + taskCorpus('latest').length).toBeGreaterThanOrEqual(40);
    expect(nodeCorpus('seed').length).toBeGreaterThanOrEqual(10);
  });
});

// SeiNode subtrees kubectl-sei never reads: declared with upstream's name, required fields and
// CEL rules, but preserving unknown fields below (so deeper upstream keywords are not mirrored).
const PERMISSIVE = new Set(['spec.fullNode', 'spec.archive', 'spec.replayer', 'spec.validator', 'spec.seed', 'spec.sidecar', 'spec.dataVolume']);

const KEYWORDS = [
  'type', 'format', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'minProperties', 'maxProperties',
  'required', 'default', 'nullable', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string',
] as const;

function norm(key: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (key === 'required') return [...(value as string[])].sort();
  if (key === 'x-kubernetes-validations') {
    return (value as Array<{ rule: string; message?: string }>).map((r) => ({ rule: r.rule.replace(/\s+/g, ' ').trim(), message: r.message?.replace(/\s+/g, ' ').trim() }));
  }
  return value;
}

function schemaOf(crd: CrdDocument): JsonSchemaProps {
  return crd.spec.versions[0]!.schema!.openAPIV3Schema;
}

function flatten(schema: JsonSchemaProps, path = '', out = new Map<string, Record<string, unknown>>()): Map<string, Record<string, unknown>> {
  out.set(path, schema as Record<string, unknown>);
  for (const [name, child] of Object.entries(schema.properties ?? {})) flatten(child, path ? `${path}.${name}` : name, out);
  if (schema.items) flatten(schema.items, `${path}[]`, out);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') flatten(schema.additionalProperties, `${path}{}`, out);
  return out;
}

function permissiveAncestor(mine: Map<string, Record<string, unknown>>, path: string): boolean {
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const node = mine.get(parts.slice(0, i).join('.'));
    if (node) return node['x-kubernetes-preserve-unknown-fields'] === true;
  }
  return false;
}
