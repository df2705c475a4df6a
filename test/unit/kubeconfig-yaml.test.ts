/**
 * The kubeconfig reader takes js-yaml's quick pass and falls back to `yaml` for what js-yaml
 * refuses (src/cluster/kubeconfig-yaml.ts). Both must read every document alike: the same
 * value, or both an error. The scalars are YAML 1.2.2's core schema table (10.3.2) and the
 * spellings YAML 1.1 or js-yaml's own schemas read differently.
 */
import { describe, expect, it } from 'vitest';
import { readYaml, readYamlExplained } from '../../src/cluster/kubeconfig-yaml.js';

const SCALARS = [
  // null and bool, 1.2 spellings and the 1.1 words that are strings in 1.2
  'null', 'Null', 'NULL', '~', '', 'nULL', 'true', 'True', 'TRUE', 'false', 'tRUE', 'yes', 'no', 'on', 'off', 'y', 'n',
  // int: js-yaml's core schema also takes binary, signed hex/octal and underscores
  '0', '-0', '+12', '0123', '012345678', '09', '0o17', '0o8', '0x1F', '0xg', '0b101', '-0x1F', '+0o17', '1_000', '0x_1F', '99999999999999999999',
  // float
  '1.5', '.5', '1.', '1e3', '1E+3', '1e-3', '3.14e2', '1e', '.inf', '-.Inf', '+.INF', '.NaN', '.nan', '.NAN', '.Nan', '1_0.5', '+.5e1',
  // strings that look like something else
  '2024-01-01', '2001-12-14t21:59:43.10-05:00', '1:20', 'abc==', 'a:b', 'x#y', '"12"', "'x'", '!!str 12', '!!int "12"', '!!float 1', '!!bool true',
];

const DOCUMENTS = [
  'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}\n',
  'a: &x {b: 1}\nc: *x\n', 'a: |\n  line1\n  line2\n', 'a: >-\n  folded\n  text\n\n  para\n', 'a: plain\n  continued\n', 'a: "\\x41\\u00e9\\t"\n', "a: 'it''s'\n",
  '# c\na: 1 # c\n', 'a: !!binary aGVsbG8=\n', 'a: !!timestamp 2024-01-01\n', '---\na: 1\n...\n', '\ufeffa: 1\n', 'a: 1\r\nb: 2\r\n', 'a: 1\na: 2\n',
  '<<: {a: 1}\nb: 2\n', 'a:\n- 1\n- [2, 3]\n- {x: y}\n', '? complex\n: value\n', 'a: !custom x\n', 'a: b: c\n', "a: 'multi\n  line'\n", 'a: |+\n  keep\n\n',
  '---\na: 1\n---\nb: 2\n', '{a: 1, b: [x, y]}\n', 'a: null\nb:\nc: ~\n', 'a: @x\n', 'a: -1\nb: - 1\n', 'users:\n- name: u\n  user:\n    token: abc: [oops\n',
];

/** What a caller can observe: the value (NaN and -0 included), or that it is an error. */
function observed(read: ReturnType<typeof readYaml>): unknown {
  if ('problem' in read) return 'error';
  return JSON.stringify(read.value, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : Object.is(value, -0) ? '-0' : value));
}

describe('kubeconfig YAML: the quick reader reads as yaml does', () => {
  it.each(SCALARS)('scalar %j', (text) => {
    for (const document of [`k: ${text}\n`, `- ${text}\n`, `{k: ${text}}\n`]) {
      expect(observed(readYaml(document)), document).toEqual(observed(readYamlExplained(document)));
    }
  });

  it.each(DOCUMENTS)('document %j', (text) => {
    expect(observed(readYaml(text))).toEqual(observed(readYamlExplained(text)));
  });

  it('an empty document is null, and an error names line and column and never the text', () => {
    expect(readYaml('')).toEqual({ value: null });
    expect(readYaml('# only a comment\n')).toEqual({ value: null });
    const broken = readYaml('users:\n- name: u\n  user:\n    token: s3cret: [oops\n');
    expect(broken).toEqual({ problem: { line: 4, col: expect.any(Number), code: expect.any(String) } });
    expect(JSON.stringify(broken)).not.toContain('s3cret');
  });

  it('the YAML 1.2 core spellings that differ from js-yaml\'s own core schema stay strings', () => {
    expect(readYaml('a: 0b101\nb: -0x1F\nc: +0o17\nd: 0x1F\ne: 0o17\n')).toEqual({ value: { a: '0b101', b: '-0x1F', c: '+0o17', d: 31, e: 15 } });
  });
});
