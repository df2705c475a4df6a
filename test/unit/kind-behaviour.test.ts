// Per-kind behaviour is catalog data (templates/tasks/*.meta.yaml) read through one typed
// SeiNodeTask model; no module outside the catalog data, the sim's kind handlers and tests
// branches on a kind's name.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { readSeiNodeTask, withPayloadValues } from '../../src/domain/seinodetask.js';
import { LATE_RESOLVER_TABLE, lateResolvers, restartKinds } from '../../src/services/kind-behaviour.js';
import { SeiError } from '../../src/errors/sei-error.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

describe('the typed SeiNodeTask', () => {
  const object = {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name: 'r', namespace: 'sei' },
    spec: { kind: 'RestartPod', target: { nodeRef: { name: 'node-0' } }, restartPod: { podUID: 'u1' } },
    status: { phase: 'Failed' },
  };

  it('reads kind, target, payload and terminal state', () => {
    expect(readSeiNodeTask(object)).toEqual({
      name: 'r',
      namespace: 'sei',
      kind: 'RestartPod',
      target: { node: 'node-0', requirePhase: 'Running' },
      payloadField: 'restartPod',
      payload: { podUID: 'u1' },
      phase: 'Failed',
      terminal: true,
      terminalPhase: 'Failed',
    });
    expect(readSeiNodeTask({ ...object, status: {} })).toMatchObject({ phase: 'Pending', terminal: false });
  });

  it('is undefined for anything that is not a SeiNodeTask with a kind', () => {
    expect(readSeiNodeTask({ ...object, kind: 'Pod' })).toBeUndefined();
    expect(readSeiNodeTask({ ...object, spec: { target: {} } })).toBeUndefined();
    expect(readSeiNodeTask(null)).toBeUndefined();
    expect(readSeiNodeTask([object])).toBeUndefined();
  });

  it('merges late values into the payload without touching the original', () => {
    const filled = withPayloadValues(object, 'restartPod', { podUID: 'u2' });
    expect(filled.spec).toEqual({ ...object.spec, restartPod: { podUID: 'u2' } });
    expect(object.spec.restartPod.podUID).toBe('u1');
  });
});

describe('per-kind behaviour as catalog data', () => {
  const catalog = loadCatalog();

  it('RestartPod: its pod uid is late, read by the live-pod-uid resolver; it restarts the pod; RestartSeid replaces it', () => {
    const spec = catalog.require('RestartPod');
    expect(spec.lateValues).toEqual([{ param: 'podUID', resolver: 'live-pod-uid' }]);
    expect(lateResolvers(spec).map((r) => [r.param, r.resolver])).toEqual([['podUID', LATE_RESOLVER_TABLE['live-pod-uid']]]);
    expect(spec).toMatchObject({ restartsPod: true, replacedBy: 'RestartSeid', apis: ['seed'] });
    expect(spec.unservedBecause).toMatch(/#389/);
  });

  it('DiscoverPeers takes effect on restart; RestartSeid points back at RestartPod; gov kinds name what they broadcast', () => {
    expect(catalog.require('DiscoverPeers')).toMatchObject({ takesEffectOnRestart: true, restartsPod: false, replacedBy: 'RestartSeid' });
    expect(catalog.require('RestartSeid')).toMatchObject({ replacedBy: 'RestartPod', restartsPod: false, lateValues: [] });
    expect(catalog.require('GovVote').broadcastNoun).toBe('vote');
    expect(catalog.require('GovSoftwareUpgrade').broadcastNoun).toBe('proposal');
  });

  it('restartKinds answers from the data', () => {
    const kinds = restartKinds(catalog);
    expect(catalog.kinds().filter((k) => kinds.restartsPod(k.kind)).map((k) => k.kind)).toEqual(['RestartPod']);
    expect(catalog.kinds().filter((k) => kinds.takesEffectOnRestart(k.kind)).map((k) => k.kind)).toEqual(['DiscoverPeers']);
    expect(kinds.commandName('RestartPod')).toBe('restart-pod');
  });

  it('no kind name is branched on outside the catalog and the sim (e.g. `=== \'RestartPod\'`)', () => {
    const names = catalog.kinds().map((k) => k.kind);
    const offenders = sources(SRC)
      // The sim's kind handlers and the catalog's own tables (controller-versions.ts) are data about kinds.
      .filter((file) => !file.startsWith(path.join(SRC, 'sim') + path.sep) && !file.startsWith(path.join(SRC, 'catalog') + path.sep))
      .flatMap((file) => {
        // Comments may name kinds (examples); code may not.
        const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
        return names.filter((name) => text.includes(`'${name}'`) || text.includes(`"${name}"`)).map((name) => `${path.relative(SRC, file)}: '${name}'`);
      });
    expect(offenders).toEqual([]);
    expect(names.length).toBeGreaterThanOrEqual(10);
  });
});

describe('a --templates-dir kind that overrides a built-in one', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sei-override-'));
    writeFileSync(join(dir, 'restart-pod.yaml.hbs'), readFileSync('templates/tasks/restart-pod.yaml.hbs'));
    // A user's meta that lists neither the checks nor the late value's resolver.
    writeFileSync(join(dir, 'restart-pod.meta.yaml'), 'kind: RestartPod\napis: [seed]\npreflight: [target-exists]\n');
    writeFileSync(join(dir, 'restart-pod.schema.json'), readFileSync('schemas/kinds/restart-pod.schema.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the built-in safety: its checks, the late pod uid and its resolver, the pod restart', () => {
    const spec = loadCatalog({ templatesDir: dir }).require('RestartPod');
    expect(spec.templatePath).toBe(join(dir, 'restart-pod.yaml.hbs'));
    expect(spec.preflight).toEqual(expect.arrayContaining(['target-exists', 'target-single-replica', 'pod-uid']));
    expect(spec.lateValues).toEqual([{ param: 'podUID', resolver: 'live-pod-uid' }]);
    expect(spec.params.find((p) => p.name === 'podUID')?.late).toBe(true);
    expect(spec.restartsPod).toBe(true);
  });

  it('an unknown resolver in a meta is refused with the known ones', () => {
    writeFileSync(join(dir, 'restart-pod.meta.yaml'), 'kind: RestartPod\nlate:\n  - param: podUID\n    resolver: guess\n');
    let error: unknown;
    try {
      loadCatalog({ templatesDir: dir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SeiError);
    expect((error as SeiError).message).toMatch(/unknown resolver "guess" \(known: live-pod-uid\)/);
  });
});
