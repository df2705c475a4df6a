/**
 * Request bodies in and JSON answers out, with the apiserver's limits and error shapes: bodies
 * over 3 MiB are 413, unparsable ones 400. Must not interpret the objects it carries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { Errors, StatusError, type Status } from './status.js';

/** The apiserver's default request body limit (MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(Errors.tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(Errors.tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/** Parses a JSON or YAML body into one value; a second YAML document is an error, as upstream. */
export function parseBody(body: Buffer, type: string): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw Errors.badRequest('the body of the request was empty');
  const yaml = type.includes('yaml');
  try {
    if (!yaml) return JSON.parse(text);
    return parseYaml(text, { strict: true, uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw Errors.badRequest(
      yaml ? `error converting YAML to JSON: yaml: ${detail}` : `couldn't get version/kind; json parse error: ${detail}`,
    );
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status, headers: Record<string, string> = {}): void {
  sendJson(res, status.code, status, headers);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof StatusError) {
    sendStatus(res, error.status, error.headers);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  sendStatus(res, Errors.internal(message).status);
}
