// A golden render per kind: the exact YAML kubectl-sei prints for fixed inputs. Regenerate
// after an intended template change with UPDATE_GOLDEN=1 and review the diff.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/catalog/index.js';
import { renderTaskDocument, toSafeYaml } from '../../src/render/index.js';
import { GOLDEN_INPUTS, NOW, RUN_TAG } from '../fixtures/golden/inputs.js';


describe('golden renders', () => {
  const catalog = loadCatalog();

  it('covers every kind of the catalog', () => {
    expect(GOLDEN_INPUTS.map(([name]) => name).sort()).toEqual(catalog.kinds().map((kind) => kind.name).sort());
  });

  it.each(GOLDEN_INPUTS)('%s renders its golden file', (name, params) => {
    const { object, text } = renderTaskDocument(catalog, { kind: name, node: 'node-0', namespace: 'sei', params, now: NOW, runTag: RUN_TAG });
    const yaml = toSafeYaml(object);
    const file = `test/fixtures/golden/${name}.yaml`;
    if (process.env['UPDATE_GOLDEN'] || !existsSync(file)) writeFileSync(file, yaml);
    expect(yaml).toBe(readFileSync(file, 'utf8'));
    // The template's own text and the printed YAML are the same object in both YAML versions.
    for (const version of ['1.1', '1.2'] as const) {
      expect(parse(yaml, { version })).toEqual(object);
      expect(parse(text, { version })).toEqual(object);
    }
  });
});
