// The krew manifest follows krew's rules (plugin-manifest.md): it must pass krew-index's checks.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const file = new URL('../../plugins/sei.yaml', import.meta.url);
const manifest = parse(readFileSync(file, 'utf8')) as {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    homepage: string;
    shortDescription: string;
    description: string;
    caveats?: string;
    platforms: Array<{ selector: { matchLabels?: Record<string, string> }; uri: string; sha256: string; bin: string; files?: Array<{ from: string; to: string }> }>;
  };
};

describe('plugins/sei.yaml (krew manifest)', () => {
  it('has the krew apiVersion and kind', () => {
    expect(manifest.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(manifest.kind).toBe('Plugin');
  });

  it('is named like its file, so krew installs it as `kubectl sei`', () => {
    expect(`${manifest.metadata.name}.yaml`).toBe(basename(file.pathname));
  });

  it('has a v-prefixed semver version equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(manifest.spec.version).toMatch(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(manifest.spec.version).toBe(`v${pkg.version}`);
  });

  it('has the descriptive fields, a short description under krew-index\'s limit and the Node caveat', () => {
    expect(manifest.spec.homepage).toMatch(/^https:\/\//);
    expect(manifest.spec.shortDescription.length).toBeGreaterThan(0);
    expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(50);
    expect(manifest.spec.description.length).toBeGreaterThan(manifest.spec.shortDescription.length);
    expect(manifest.spec.caveats).toMatch(/Node\.js >= 20\.19/);
    // krew-index: the description says what the plugin does, it is not a list of commands.
    expect(manifest.spec.description).not.toMatch(/^\s*(kubectl sei|Examples:)/m);
  });

  it.each([
    ['linux', 'amd64'],
    ['linux', 'arm64'],
    ['darwin', 'amd64'],
    ['darwin', 'arm64'],
    ['windows', 'amd64'],
  ])('covers %s/%s with exactly one platform entry', (os, arch) => {
    const matches = manifest.spec.platforms.filter((p) => p.selector.matchLabels?.['os'] === os && p.selector.matchLabels?.['arch'] === arch);
    expect(matches).toHaveLength(1);
  });

  it.each(manifest.spec.platforms.map((p, i) => [i, p] as const))('platform %i has selector, archive uri, sha256, bin and files', (_i, platform) => {
    expect(platform.selector.matchLabels).toBeDefined();
    expect(platform.uri).toMatch(/^https:\/\/.+\.(tar\.gz|zip)$/);
    expect(platform.uri).toContain(manifest.spec.version);
    expect(platform.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(platform.bin).toMatch(/kubectl-sei(\.exe)?$/);
    // krew: a Windows bin must end in .exe, and no other may.
    expect(platform.bin.endsWith('.exe')).toBe(platform.selector.matchLabels?.['os'] === 'windows');
    expect(platform.files?.length ?? 0).toBeGreaterThan(0);
  });
});
