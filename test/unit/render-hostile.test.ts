// Templates cannot inject: every substituted value lands as exactly one YAML scalar that both
// YAML 1.2 and YAML 1.1 readers (kubectl, ArgoCD, Flux) read back as the input string.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/catalog/index.js';
import { renderTaskDocument, toSafeYaml, yamlFlow } from '../../src/render/index.js';
import { SeiError } from '../../src/errors/sei-error.js';

const HOSTILE: Array<[string, string]> = [
  ['a mapping indicator', 'a: b'],
  ['a newline with structure', 'x\nkind: Evil\n  nested: 1'],
  ['double and single quotes', `he said "hi" it's`],
  ['YAML 1.1 boolean yes', 'yes'],
  ['YAML 1.1 boolean on', 'on'],
  ['YAML 1.1 boolean N', 'N'],
  ['octal-looking', '0123'],
  ['YAML 1.1 octal', '0o17'],
  ['hex', '0x1F'],
  ['exponent', '1e3'],
  ['underscored number', '1_000'],
  ['sexagesimal', '1:20'],
  ['infinity', '.inf'],
  ['null', 'null'],
  ['tilde', '~'],
  ['a date', '2026-11-23'],
  ['equals sign (HTML escaping would corrupt it)', '='],
  ['handlebars braces', '{{params.podUID}}'],
  ['html', '<b>&amp;</b>'],
  ['leading and trailing spaces', '  padded  '],
  ['a comment', 'value # not a comment'],
  ['a flow sequence', '[1, 2]'],
  ['an anchor and alias', '&a *a'],
  ['a tag', '!!int 3'],
  ['a document marker', '---'],
  ['a block scalar indicator', '|'],
  ['unicode', 'Ünïcødé 漢字 😀'],
  ['YAML 1.1 line separators', 'a\u2028b\u0085c\u2029d'],
  ['control characters', 'bell\u0007del\u007fesc\u001b'],
  ['a byte-order mark', '\ufeffbom'],
  ['tabs and CR', 'a\tb\r\nc'],
  ['a backslash escape', 'C:\\path\\n'],
  ['empty', ''],
];

function parseBoth(text: string): Array<[string, unknown]> {
  return [['1.2', parse(text, { version: '1.2' })], ['1.1', parse(text, { version: '1.1' })]];
}

describe('hostile values', () => {
  const catalog = loadCatalog();

  it.each(HOSTILE)('%s: every string field reads back exactly in YAML 1.1 and 1.2', (_scenario, value) => {
    const { object, text } = renderTaskDocument(catalog, {
      kind: 'gov-vote',
      node: 'node-0',
      namespace: 'sei',
      name: 'vote',
      labels: { team: value },
      annotations: { note: value, [`k${value.length}`]: value },
      params: { chainId: `${value}c`, fees: `f${value}`, memo: value, proposalId: 3, option: 'yes', gas: 1 },
    });
    for (const output of [text, toSafeYaml(object)]) {
      for (const [version, parsed] of parseBoth(output)) {
        const task = parsed as { spec: { govVote: Record<string, unknown> }; metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
        expect(task.spec.govVote, `YAML ${version}`).toEqual({ chainId: `${value}c`, fees: `f${value}`, memo: value, proposalId: 3, option: 'yes', gas: 1 });
        expect(task.metadata.labels['team'], `YAML ${version}`).toBe(value);
        expect(task.metadata.annotations, `YAML ${version}`).toEqual({ note: value, [`k${value.length}`]: value });
        expect(Object.keys(task as object).sort(), `YAML ${version}`).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      }
    }
    // Exactly one line per field: a value never adds a line (newlines are escaped).
    expect(text.split('\n').filter((line) => line.trimStart().startsWith('memo:'))).toHaveLength(1);
    expect(text).not.toContain('&#x3D;');
  });

  it.each(HOSTILE)('%s: as a mapping key in a JSON parameter value', (_scenario, value) => {
    const object = renderTaskDocument(catalog, {
      kind: 'gov-param-change',
      node: 'node-0',
      namespace: 'sei',
      params: { chainId: 'c', title: 't', description: 'd', initialDeposit: '1usei', fees: '1usei', gas: 1, changes: [{ subspace: 's', key: value || 'k', value: { [value]: [value, 1, true, null] } }] },
    }).object;
    for (const [, parsed] of parseBoth(toSafeYaml(object))) expect(parsed).toEqual(object);
    expect((object['spec'] as { govParamChange: { changes: unknown[] } }).govParamChange.changes).toEqual([{ subspace: 's', key: value || 'k', value: { [value]: [value, 1, true, null] } }]);
  });

  it('a bounded random sweep of strings round-trips through both YAML versions', () => {
    // Deterministic LCG so a failure reproduces; alphabet biased towards YAML's special characters.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = [...':#\'"\\\n\r\t -?&*!|>%@`{}[],.=~0123456789eExXoO+_yYnN \u2028\u0085\u00a0é😀'];
    for (let i = 0; i < 2000; i++) {
      const length = next() % 12;
      const value = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      const text = `k: ${yamlFlow(value)}\n`;
      expect(parse(text, { version: '1.2' }).k, JSON.stringify(value)).toBe(value);
      expect(parse(text, { version: '1.1' }).k, JSON.stringify(value)).toBe(value);
    }
  });

  it.each([
    ['integer', 3, '3'],
    ['negative integer', -7, '-7'],
    ['float', 0.5, '0.5'],
    ['small float (YAML 1.1 needs a dot)', 1e-7, '1.0e-7'],
    ['tiny float', 1.5e-300, '1.5e-300'],
    ['true', true, 'true'],
    ['null', null, 'null'],
  ])('%s is written in the spelling both versions share', (_scenario, value, expected) => {
    expect(yamlFlow(value)).toBe(expected);
    expect(parse(`k: ${expected}`, { version: '1.1' }).k).toBe(value);
    expect(parse(`k: ${expected}`, { version: '1.2' }).k).toBe(value);
  });

  it.each([['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['beyond 2^53', 2 ** 60]])('refuses %s rather than write a lossy number', (_scenario, value) => {
    expect(() => yamlFlow(value)).toThrow(TypeError);
  });
});

describe('unsafe user templates are refused', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sei-unsafe-'));
    for (const [name, line] of [
      ['raw-value', '    podUID: {{params.podUID}}'],
      ['triple-stash', '    podUID: {{{params.podUID}}}'],
      ['raw-in-string', '    podUID: "uid-{{params.podUID}}"'],
      ['unclosed-block', '{{#if params.podUID}}\n    podUID: {{v params.podUID}}'],
      ['unknown-helper', '    podUID: {{shout params.podUID}}'],
    ]) {
      const template = readFileSync('templates/tasks/restart-pod.yaml.hbs', 'utf8').replace('    podUID: {{v params.podUID}}', line!);
      writeFileSync(join(dir, `${name}.yaml.hbs`), template);
      writeFileSync(join(dir, `${name}.meta.yaml`), 'kind: RestartPod\napis: [seed]\n');
      writeFileSync(join(dir, `${name}.schema.json`), readFileSync('schemas/kinds/restart-pod.schema.json'));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['raw-value', 'a: b'],
    ['raw-value', '123'],
    ['raw-value', 'yes'],
    ['raw-value', 'x\nevil: 1'],
    ['triple-stash', 'on'],
    ['raw-in-string', 'a"b'],
  ])('%s with %j: exit 2 UnsafeTemplate', (kind, podUID) => {
    const catalog = loadCatalog({ templatesDir: dir });
    let error: unknown;
    try {
      renderTaskDocument(catalog, { kind, node: 'node-0', namespace: 'sei', params: { podUID } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SeiError);
    expect((error as SeiError).exitCode).toBe(2);
    expect((error as SeiError).message).toMatch(/is unsafe|did not render valid YAML/);
  });

  it.each([['unclosed-block'], ['unknown-helper']])('%s: a template that does not compile is exit 2 naming the file', (kind) => {
    let error: unknown;
    try {
      renderTaskDocument(loadCatalog({ templatesDir: dir }), { kind, node: 'node-0', namespace: 'sei', params: { podUID: 'u' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SeiError);
    expect((error as SeiError).exitCode).toBe(2);
    expect((error as SeiError).message).toContain(`${kind}.yaml.hbs`);
  });

  it('the same raw template with a benign value is not a false alarm for the built-in one', () => {
    const object = renderTaskDocument(loadCatalog(), { kind: 'restart-pod', node: 'node-0', namespace: 'sei', params: { podUID: 'abc' } }).object;
    expect((object['spec'] as { restartPod: unknown }).restartPod).toEqual({ podUID: 'abc' });
  });
});
