/**
 * Human progress on stderr, the one reporter every wait uses: an ora spinner when stderr is a
 * TTY, plain lines otherwise, then exactly one ✔/✖ verdict line. Every live status carries the
 * time elapsed since the reporter started ("[12s elapsed]", humanDuration): in a TTY the spinner
 * text ticks once a second; without one a line is printed only when the status itself changes
 * (a line per state change, never per tick, so CI logs do not flood; a figure that moves on its
 * own, like a height, at most once a minute).
 * Never writes to stdout; never shows a spinner without a TTY. ora is loaded lazily, only for a TTY.
 */
import { humanDuration } from './human-duration.js';

export interface Progress {
  /**
   * The live status; in a TTY it replaces the spinner text, otherwise prints when changed.
   * `live` is a figure that moves on its own (a node's height): shown after the status, and
   * without a TTY printed at once when it first appears, then at most once every LIVE_LINE_MS.
   */
  update(text: string, live?: string): void;
  /** A state change that stays visible (pod replaced, plan step advanced), stamped with the elapsed time. */
  event(text: string): void;
  /** A one-off note (warning, object created) that must stay visible, printed as is. */
  note(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  /** Clears the spinner without a verdict line (Ctrl-C, errors reported elsewhere). */
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Force TTY behaviour on or off (tests); default: stream.isTTY. */
  tty?: boolean;
  /** Print nothing but the verdict and notes (e.g. --quiet). */
  quiet?: boolean;
  /** The clock elapsed time is read from (tests); default Date.now. */
  now?: () => number;
}

interface Spinner {
  text: string;
  start(): Spinner;
  stop(): Spinner;
  succeed(text?: string): Spinner;
  fail(text?: string): Spinner;
  clear(): Spinner;
  render(): Spinner;
}

/** Without a TTY, a moving figure alone (the height) prints at most this often: a CI log gets a line a minute, not one per poll. */
export const LIVE_LINE_MS = 60_000;

function shown(text: string, live: string | undefined): string {
  return live ? `${text}, ${live}` : text;
}

/** Terraform's wording ("Still creating... [10s elapsed]"), which operators already read at a glance. */
export function elapsedTag(ms: number): string {
  return `[${humanDuration(ms)} elapsed]`;
}

/** The status with its elapsed time: on the first line, so a multi-line status (a plan's steps) keeps its shape. */
export function withElapsed(text: string, ms: number): string {
  const newline = text.indexOf('\n');
  return newline < 0 ? `${text} ${elapsedTag(ms)}` : `${text.slice(0, newline)} ${elapsedTag(ms)}${text.slice(newline)}`;
}

/** Whether stderr gets a spinner: a sized terminal, and not CI (whose log viewers replay carriage returns badly). */
export function progressIsLive(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr, tty?: boolean): boolean {
  const columns = (stream as { columns?: number }).columns ?? 0;
  // A terminal of zero columns (a pty nobody sized, e.g. `script` without a terminal) would make
  // the spinner's line arithmetic divide by zero: plain lines are the safe answer there.
  return (tty ?? Boolean(stream.isTTY)) && columns > 0 && !process.env['CI'];
}

export async function createProgress(options: ProgressOptions = {}): Promise<Progress> {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  if (!progressIsLive(stream, options.tty)) return plainProgress(stream, options.quiet ?? false, now);
  const started = now();
  const { default: ora } = await import('ora');
  let spinner: Spinner | undefined;
  let status = '';
  let ticker: NodeJS.Timeout | undefined;
  const render = (): void => {
    if (spinner) spinner.text = withElapsed(status, now() - started);
  };
  const ensure = (): Spinner => {
    if (!spinner) {
      spinner = ora({ text: withElapsed(status, now() - started), stream: stream as NodeJS.WriteStream, discardStdin: false, isEnabled: true }).start() as unknown as Spinner;
      // The elapsed time moves while nothing else does; unref'd so it never keeps the process alive.
      ticker = setInterval(render, 1000);
      ticker.unref();
    }
    return spinner;
  };
  const release = (): void => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
    spinner = undefined;
  };
  const above = (line: string): void => {
    if (!spinner) {
      stream.write(`${line}\n`);
      return;
    }
    spinner.clear();
    stream.write(`${line}\n`);
    spinner.render();
  };
  return {
    update(text, live) {
      status = shown(text, live);
      ensure();
      render();
    },
    event(text) {
      above(`${text} ${elapsedTag(now() - started)}`);
    },
    note(text) {
      above(text);
    },
    succeed(text) {
      if (spinner) spinner.succeed(text);
      else stream.write(`✔ ${text}\n`);
      release();
    },
    fail(text) {
      if (spinner) spinner.fail(text);
      else stream.write(`✖ ${text}\n`);
      release();
    },
    stop() {
      spinner?.stop();
      release();
    },
  };
}

/**
 * Lines for logs and pipes: a status is printed when it differs from the last one (with the
 * elapsed time at that moment), never again for the clock alone.
 */
export function plainProgress(stream: NodeJS.WritableStream, quiet = false, now: () => number = Date.now): Progress {
  const started = now();
  let last = '';
  let lastLive: string | undefined;
  let printedAt = Number.NEGATIVE_INFINITY;
  return {
    update(text, live) {
      if (quiet) return;
      const changed = text !== last || (live !== undefined && lastLive === undefined);
      const moved = live !== lastLive && now() - printedAt >= LIVE_LINE_MS;
      if (!changed && !moved) return;
      last = text;
      lastLive = live;
      printedAt = now();
      stream.write(`${withElapsed(shown(text, live), printedAt - started)}\n`);
    },
    event(text) {
      stream.write(`${text} ${elapsedTag(now() - started)}\n`);
    },
    note(text) {
      stream.write(`${text}\n`);
    },
    succeed(text) {
      stream.write(`✔ ${text}\n`);
    },
    fail(text) {
      stream.write(`✖ ${text}\n`);
    },
    stop() {},
  };
}

/** A Progress that records lines (without elapsed times), for services called from tests or other services. */
export function silentProgress(sink: string[] = []): Progress & { lines: string[] } {
  return {
    lines: sink,
    update: (text, live) => void sink.push(shown(text, live)),
    event: (text) => void sink.push(text),
    note: (text) => void sink.push(text),
    succeed: (text) => void sink.push(`✔ ${text}`),
    fail: (text) => void sink.push(`✖ ${text}`),
    stop: () => {},
  };
}
