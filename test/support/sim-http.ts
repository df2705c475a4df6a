/**
 * Raw HTTP to the simulated cluster for tests: a client-node KubeConfig for a running sim,
 * a raw https request (for status codes and headers client-node hides), and a Status parser.
 */
import { request } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import type { RunningSim } from '../../src/sim/index.js';
import type { KubeObject } from '../../src/cluster/types.js';

export function kubeConfig(sim: RunningSim): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml());
  return kc;
}

export interface RawResponse {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary Status/object shapes
}

export function raw(
  sim: RunningSim,
  method: string,
  path: string,
  options: { body?: string | Buffer; contentType?: string; token?: string | null; accept?: string } = {},
): Promise<RawResponse> {
  const url = new URL(path, sim.url);
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? sim.token : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
  if (options.accept) headers.Accept = options.accept;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: sim.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ code: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The Status body of a client-node ApiException (its body is a string or already parsed). */
export function statusOf(error: unknown): { code: number; reason?: string; message?: string; details?: { causes?: Array<{ reason?: string; message?: string; field?: string }> } } {
  const e = error as { code?: number; body?: unknown };
  const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  return { code: e.code ?? 0, ...(body as object) };
}

export async function expectStatus(promise: Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
  try {
    await promise;
  } catch (error) {
    return statusOf(error);
  }
  throw new Error('expected the request to fail');
}

/** A server-side apply by another field manager, straight over HTTPS (not through our client). */
export async function applyAs(fixture: { sim: RunningSim }, manager: string, object: KubeObject): Promise<number> {
  const { request } = await import('node:https');
  const url = new URL(`/apis/sei.io/v1alpha1/namespaces/${object.metadata.namespace}/seinodetasks/${object.metadata.name}?fieldManager=${manager}`, fixture.sim.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PATCH', ca: fixture.sim.caPem, headers: { authorization: `Bearer ${fixture.sim.token}`, 'content-type': 'application/apply-patch+yaml' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(object));
  });
}
