/**
 * Durable state of the simulated cluster in a directory: a snapshot (written atomically by
 * rename) plus an append-only log of every committed write since that snapshot. Each write is
 * one `write(2)` of a JSON line, so a killed sim loses nothing the OS received; a torn last line
 * from a crash mid-write is ignored. It stores and replays; it does not interpret objects.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SeiError } from '../../errors/index.js';
import type { KubeObject, StoreEventType } from '../types.js';

export interface StoredObject {
  resource: string;
  object: KubeObject;
}

export interface LogEntry {
  rv: number;
  resource: string;
  type: StoreEventType;
  object: KubeObject;
}

/** What the store hands over to write: objects already serialised once, at write time. */
export interface SnapshotEntry {
  resource: string;
  json: string;
}

export interface AppendEntry {
  rv: number;
  resource: string;
  type: StoreEventType;
  json: string;
}

export interface LoadedState {
  resourceVersion: number;
  objects: StoredObject[];
}

export interface Persistence {
  load(): LoadedState;
  append(entry: AppendEntry, snapshot: () => SnapshotEntry[]): void;
  close(resourceVersion: number, objects: SnapshotEntry[]): Promise<void>;
}

interface SnapshotFile {
  format: 1;
  resourceVersion: number;
  objects: StoredObject[];
}

const SNAPSHOT = 'snapshot.json';
const LOG = 'log.jsonl';
const LOCK = 'sim.lock';
/** Log lines after which the log is folded into a fresh snapshot, bounding restart time. */
const COMPACT_AFTER = 20_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One sim per state directory: two writers appending to one log would interleave and corrupt
 * it. A lock left by a dead process is taken over; one held by a live one is refused.
 */
function acquireLock(dir: string): () => void {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      // The same process re-opening its own directory (a restart in tests) is not a rival.
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw SeiError.preflight('StateDirInUse', `state directory ${dir} is in use by another simulated cluster (pid ${holder})`, [
          `stop that sim (kill ${holder}) or pass a different --state-dir`,
        ]);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock state directory ${dir}`);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw SeiError.preflight('StateDirCorrupt', `${path}: not a readable simulated-cluster snapshot (${(error as Error).message})`, [
      'restore the file from a backup, or start the sim with an empty --state-dir',
    ]);
  }
}

function keyOf(resource: string, object: KubeObject): string {
  return `${resource}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

export function openPersistence(dir: string, compactAfter = COMPACT_AFTER): Persistence {
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(dir);
  const snapshotPath = join(dir, SNAPSHOT);
  const logPath = join(dir, LOG);
  let fd: number | undefined;
  let lines = 0;
  let lastRv = 0;

  function writeSnapshot(resourceVersion: number, objects: SnapshotEntry[]): void {
    const tmp = `${snapshotPath}.tmp`;
    // Assembled from the already-serialised objects: the SnapshotFile shape, without re-encoding.
    const items = objects.map(({ resource, json }) => `{"resource":${JSON.stringify(resource)},"object":${json}}`);
    writeFileSync(tmp, `{"format":1,"resourceVersion":${resourceVersion},"objects":[${items.join(',')}]}`);
    const tmpFd = openSync(tmp, 'r+');
    try {
      fsyncSync(tmpFd);
    } finally {
      closeSync(tmpFd);
    }
    renameSync(tmp, snapshotPath);
  }

  /** Snapshot first, then truncate: a crash in between replays nothing twice (rv filter). */
  function fold(resourceVersion: number, objects: SnapshotEntry[]): void {
    writeSnapshot(resourceVersion, objects);
    if (fd !== undefined) ftruncateSync(fd, 0);
    lines = 0;
  }

  function load(): LoadedState {
    const objects = new Map<string, StoredObject>();
    let resourceVersion = 0;
    if (existsSync(snapshotPath)) {
      const snapshot = readJson(snapshotPath) as SnapshotFile;
      if (snapshot.format !== 1) throw new Error(`${snapshotPath}: unknown state format ${String(snapshot.format)}`);
      resourceVersion = snapshot.resourceVersion;
      for (const stored of snapshot.objects) objects.set(keyOf(stored.resource, stored.object), stored);
    }
    if (existsSync(logPath)) {
      const text = readFileSync(logPath, 'utf8');
      const rows = text.split('\n');
      rows.forEach((row, index) => {
        if (row.trim() === '') return;
        let entry: LogEntry;
        try {
          entry = JSON.parse(row) as LogEntry;
        } catch (error) {
          // Only the last line can be torn (a crash mid-append); anything else is corruption.
          if (index >= rows.length - 2) return;
          throw SeiError.preflight('StateDirCorrupt', `${logPath}:${index + 1}: unreadable state log line (${(error as Error).message})`, [
            'truncate the log before that line to recover what precedes it, or start with an empty --state-dir',
          ]);
        }
        if (entry.rv <= resourceVersion) return;
        resourceVersion = entry.rv;
        const key = keyOf(entry.resource, entry.object);
        if (entry.type === 'DELETED') objects.delete(key);
        else objects.set(key, { resource: entry.resource, object: entry.object });
      });
    }
    lastRv = resourceVersion;
    const state = { resourceVersion, objects: [...objects.values()] };
    fd = openSync(logPath, 'a');
    fold(resourceVersion, state.objects.map(({ resource, object }) => ({ resource, json: JSON.stringify(object) })));
    return state;
  }

  return {
    load(): LoadedState {
      try {
        return load();
      } catch (error) {
        release();
        throw error;
      }
    },

    append(entry: AppendEntry, snapshot: () => SnapshotEntry[]): void {
      if (fd === undefined) throw new Error('state log is not open');
      // A LogEntry line, assembled around the object's existing serialisation.
      writeSync(fd, `{"rv":${entry.rv},"resource":${JSON.stringify(entry.resource)},"type":"${entry.type}","object":${entry.json}}\n`);
      lastRv = entry.rv;
      lines += 1;
      if (lines >= compactAfter) fold(lastRv, snapshot());
    },

    async close(resourceVersion: number, objects: SnapshotEntry[]): Promise<void> {
      if (fd === undefined) return;
      fold(resourceVersion, objects);
      closeSync(fd);
      fd = undefined;
      release();
    },
  };
}
