/**
 * The pure parts of a GitOps commit: kustomization edits that keep what people wrote, flux
 * naming limits, path normalization and credential redaction.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureResources } from '../../src/gitops/kustomization.js';
import { buildLayout, fluxKustomizationName } from '../../src/gitops/layout.js';
import { normalizeRepoPath } from '../../src/gitops/safety.js';
import { blobId, redact } from '../../src/gitops/git.js';
import { execFileSync } from 'node:child_process';
import { commitMessage } from '../../src/gitops/message.js';
import { SeiError } from '../../src/errors/index.js';
import { refreshPeersPlan, task } from '../support/builders.js';

describe('ensureResources', () => {
  it.each([
    ['no file: a new kustomization, sorted', undefined, ['b.yaml', 'a.yaml'], ['a.yaml', 'b.yaml']],
    ['no resources key yet', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n', ['a.yaml'], ['a.yaml']],
    ['an empty resources key', 'kind: Kustomization\nresources:\n', ['a.yaml'], ['a.yaml']],
    ['a sorted list stays sorted', 'resources:\n  - a.yaml\n  - c.yaml\n', ['b.yaml', 'd.yaml'], ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml']],
    ['a hand-ordered list keeps its order', 'resources:\n  - z.yaml\n  - a.yaml\n', ['m.yaml'], ['m.yaml', 'z.yaml', 'a.yaml']],
    ['a flow list', 'resources: [a.yaml, ../base]\n', ['b.yaml'], ['a.yaml', '../base', 'b.yaml']],
  ])('%s', (_scenario, existing, entries, expected) => {
    expect(parse(ensureResources(existing, entries)).resources).toEqual(expected);
  });

  it('returns the text byte for byte when every entry is listed', () => {
    const text = '# mine\nresources:\n  - b.yaml   # odd spacing kept\n  - a.yaml\n';
    expect(ensureResources(text, ['a.yaml', 'b.yaml'])).toBe(text);
  });

  it('keeps comments and other fields when it adds', () => {
    const text = '# header\nnamespace: arctic-1 # pinned\nresources:\n  # before a\n  - a.yaml\n';
    const out = ensureResources(text, ['b.yaml']);
    expect(out).toContain('# header');
    expect(out).toContain('namespace: arctic-1 # pinned');
    expect(out).toContain('# before a');
  });

  it.each([
    ['broken YAML', 'resources: [a.yaml\n', /kustomization.yaml:\d+:\d+/],
    ['resources is a map', 'resources:\n  a: b\n', /resources is not a list/],
    ['a list at the top', '- a.yaml\n', /not a YAML mapping/],
  ])('refuses %s with exit 2', (_scenario, text, message) => {
    let error: unknown;
    try {
      ensureResources(text, ['x.yaml']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeiError);
    expect((error as SeiError).exitCode).toBe(2);
    expect((error as SeiError).message).toMatch(message);
  });
});

describe('layout', () => {
  it('flux Kustomization names fit the 63-character label limit and stay unique', () => {
    const long = 'plan-' + 'x'.repeat(70);
    const a = fluxKustomizationName(long, '00-discover');
    const b = fluxKustomizationName(long, '01-restart');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(b.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(fluxKustomizationName('refresh-peers-3f2b8c1e', '00-discover')).toBe('sei-refresh-peers-3f2b8c1e-00-discover');
  });

  it('plain flavor ignores plan ordering; argocd adds a sync wave per step', () => {
    const plain = buildLayout(refreshPeersPlan(), 'plain', 'p');
    expect([...plain.files.values()].every((o) => !o.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBe(true);
    const argocd = buildLayout(refreshPeersPlan(), 'argocd', 'p');
    expect([...argocd.files.values()].map((o) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toEqual(['0', '0', '1', '1']);
    expect(argocd.kustomizations.get('p/kustomization.yaml')).toHaveLength(4);
  });

  it('flux steps order numerically, not lexically', () => {
    const objects = Array.from({ length: 11 }, (_, i) => task(`t-${i}`, 'DiscoverPeers', 'node-0', {}, { id: 'p', step: `s${i}`, order: i }));
    const layout = buildLayout(objects, 'flux', 'base');
    const ks = [...layout.files.values()].filter((o) => o.kind === 'Kustomization');
    expect(ks.map((o) => o.metadata.name)).toEqual(objects.map((_, i) => `sei-refresh-peers-p148de9-${String(i).padStart(2, '0')}-s${i}`));
    expect((ks[10]!.spec as { dependsOn: Array<{ name: string }> }).dependsOn[0]!.name).toBe('sei-refresh-peers-p148de9-09-s9');
  });
});

describe('paths and secrets in messages', () => {
  it.each([
    ['relative', 'clusters/dev', 'clusters/dev'],
    ['with ./ and trailing slash', './clusters/dev/', 'clusters/dev'],
    ['absolute inside the repo', '/repo/clusters/dev', 'clusters/dev'],
    ['the repository root (a repository per cluster)', '.', ''],
  ])('normalizes a %s --path', (_scenario, raw, expected) => {
    expect(normalizeRepoPath('/repo', raw)).toBe(expected);
  });

  it.each([['..'], ['../x'], ['/elsewhere'], ['.git/hooks'], ['a\0b']])('refuses --path %j', (raw) => {
    expect(() => normalizeRepoPath('/repo', raw)).toThrow(SeiError);
  });

  it.each([['ascii', 'kind: Kustomization\n'], ['empty', ''], ['multi-byte', 'message: "Grüße ✓"\n']])('blobId agrees with git hash-object (%s)', (_scenario, content) => {
    expect(blobId(content, 'sha1')).toBe(execFileSync('git', ['hash-object', '--stdin'], { input: content, encoding: 'utf8' }).trim());
  });

  it('redacts credentials in remote URLs', () => {
    expect(redact("fatal: unable to access 'https://bot:ghp_SECRET@github.com/o/r.git/'")).toBe("fatal: unable to access 'https://***@github.com/o/r.git/'");
  });

  it('a custom --message replaces the subject but keeps the task list', () => {
    const text = commitMessage(refreshPeersPlan(), 'argocd', { message: 'chore: refresh peers on arctic-1' });
    expect(text.split('\n')[0]).toBe('chore: refresh peers on arctic-1');
    expect(text).toContain('- DiscoverPeers arctic-1/rp-7f3a-discover-node-0 -> node-0 (step discover)');
    expect(text).toContain('Sei-Plan-Id: rp-7f3a');
  });
});
