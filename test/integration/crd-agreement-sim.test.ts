// The simulated apiserver's admission, over HTTP through @kubernetes/client-node, agrees with
// what the UPSTREAM sei-k8s-controller CRDs dictate: for every document of the agreement corpus
// (both API flavors, SeiNodeTasks and SeiNodes, creates and updates) the sim answers 400 for
// undeclared fields (fieldValidation=Strict), 422 with exactly the upstream causes, or stores
// exactly the upstream-defaulted object. Expectations come from the upstream files compiled by
// the same engine; test/integration/crd-agreement.test.ts pins the engine to the CRD text.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { compileCrdValidator, strictDecodingMessage, type ObjectValidator } from '../../src/validate/index.js';
import { nodeCorpus, taskCorpus, upstream, UPSTREAM_FILES, type Case, type Flavor, type Obj } from './crd-agreement-corpus.js';
import { kubeConfig, statusOf } from '../support/sim-http.js';

const ns = 'sei';
type Plural = 'seinodetasks' | 'seinodes';

function sortedCauses(causes: Array<{ field?: string; reason?: string; type?: string; message?: string }>) {
  return causes
    .map((c) => ({ field: c.field, reason: c.reason ?? c.type, message: c.message }))
    .sort((a, b) => `${a.field} ${a.message}`.localeCompare(`${b.field} ${b.message}`));
}

/** A case under its own name; a case about metadata.name keeps its (bad) name. */
function named(c: Case, name: string): { object: Obj; oldObject?: Obj } {
  const rename = (o: Obj): Obj => {
    const metadata = o['metadata'] as { name?: string };
    const keep = metadata.name !== 'task-a' && metadata.name !== 'node-0';
    // status is the status subresource's: the main endpoint ignores it on create and update.
    const { status: _status, ...rest } = o;
    void _status;
    return { ...rest, metadata: { ...metadata, name: keep ? metadata.name : name, namespace: ns } };
  };
  return { object: rename(c.object), ...(c.oldObject ? { oldObject: rename(c.oldObject) } : {}) };
}

async function outcome(promise: Promise<unknown>): Promise<{ ok: true; object: Obj } | { ok: false; status: ReturnType<typeof statusOf> }> {
  try {
    return { ok: true, object: (await promise) as Obj };
  } catch (error) {
    return { ok: false, status: statusOf(error) };
  }
}

for (const flavor of ['seed', 'latest'] as Flavor[]) {
  describe(`sim admission (--crd ${flavor}) agrees with the upstream CRDs`, () => {
    let sim: RunningSim;
    let custom: k8s.CustomObjectsApi;
    const validators = new Map<Plural, ObjectValidator>();

    beforeAll(async () => {
      sim = await startSim({ crd: flavor, fleet: 1, namespace: ns, controller: false });
      custom = kubeConfig(sim).makeApiClient(k8s.CustomObjectsApi);
      for (const plural of ['seinodetasks', 'seinodes'] as Plural[]) validators.set(plural, compileCrdValidator(upstream(UPSTREAM_FILES[plural][flavor])));
    });
    afterAll(async () => {
      await sim?.stop();
    });

    const cases: Array<[string, Plural, Case, number]> = [
      ...taskCorpus(flavor).map((c, i) => [`SeiNodeTask: ${c.name}`, 'seinodetasks', c, i] as [string, Plural, Case, number]),
      ...nodeCorpus(flavor).map((c, i) => [`SeiNode: ${c.name}`, 'seinodes', c, i] as [string, Plural, Case, number]),
    ];

    it.each(cases)('%s', async (_label, plural, c, i) => {
      const api = { group: 'sei.io', version: 'v1alpha1', namespace: ns, plural };
      const { object, oldObject } = named(c, `${plural === 'seinodes' ? 'n' : 't'}${i}-${flavor}`);
      const name = (object['metadata'] as { name: string }).name;
      let stored: Obj | undefined;
      if (oldObject) {
        stored = (await custom.createNamespacedCustomObject({ ...api, body: oldObject, fieldValidation: 'Strict' })) as Obj;
        (object['metadata'] as Obj)['resourceVersion'] = (stored['metadata'] as Obj)['resourceVersion'];
      }
      const expected = validators.get(plural)!.validate(object, { oldObject: stored, fieldValidation: 'Strict' });
      const result = await outcome(
        stored
          ? custom.replaceNamespacedCustomObject({ ...api, name, body: object, fieldValidation: 'Strict' })
          : custom.createNamespacedCustomObject({ ...api, body: object, fieldValidation: 'Strict' }),
      );

      if (expected.unknownFields.length > 0) {
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.status).toMatchObject({ code: 400, reason: 'BadRequest' });
          expect(result.status.message).toContain(strictDecodingMessage(plural === 'seinodes' ? 'SeiNode' : 'SeiNodeTask', 'v1alpha1', expected.unknownFields).split(': strict')[1]!);
        }
      } else if (expected.causes.length > 0) {
        expect(result.ok ? 'accepted' : result.status.code).toBe(422);
        if (!result.ok) {
          expect(result.status.reason).toBe('Invalid');
          expect(sortedCauses(result.status.details?.causes ?? [])).toEqual(sortedCauses(expected.causes));
        }
      } else {
        expect(result.ok ? 'accepted' : result.status).toBe('accepted');
        if (result.ok) expect(result.object['spec']).toEqual(expected.object['spec']);
      }
    });

    // Status goes through the status subresource (what the controller writes): same schema.
    const statusCases = [...taskCorpus(flavor), ...nodeCorpus(flavor)].filter((c) => c.object['status'] !== undefined && !c.oldObject);
    it.each(statusCases.map((c, i) => [c.name, c, i] as const))('status subresource: %s', async (_label, c, i) => {
      const plural: Plural = c.object['kind'] === 'SeiNode' ? 'seinodes' : 'seinodetasks';
      const api = { group: 'sei.io', version: 'v1alpha1', namespace: ns, plural };
      const { object } = named(c, `s${i}-${flavor}`);
      const name = (object['metadata'] as { name: string }).name;
      const created = (await custom.createNamespacedCustomObject({ ...api, body: object, fieldValidation: 'Strict' })) as Obj;
      const withStatus = { ...created, status: c.object['status'] };
      const expected = validators.get(plural)!.validate(withStatus, { oldObject: created, fieldValidation: 'Strict' });
      const result = await outcome(custom.replaceNamespacedCustomObjectStatus({ ...api, name, body: withStatus, fieldValidation: 'Strict' }));
      if (expected.causes.length > 0) {
        expect(result.ok ? 'accepted' : result.status.code).toBe(422);
        if (!result.ok) expect(sortedCauses(result.status.details?.causes ?? [])).toEqual(sortedCauses(expected.causes));
      } else {
        expect(result.ok ? 'accepted' : result.status).toBe('accepted');
        if (result.ok) expect(result.object['status']).toEqual(expected.object['status']);
      }
    });
  });
}
