/**
 * Human progress on stderr: an ora spinner when stderr is a TTY, plain de-duplicated lines
 * otherwise, then exactly one ✔/✖ verdict line. Never writes to stdout; never shows a spinner
 * without a TTY (CI logs and pipes get lines). ora is loaded lazily, only for a TTY.
 */
export interface Progress {
  /** The live status; in a TTY it replaces the spinner text, otherwise prints when changed. */
  update(text: string): void;
  /** A one-off note (warning, pod event) that must stay visible. */
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

export async function createProgress(options: ProgressOptions = {}): Promise<Progress> {
  const stream = options.stream ?? process.stderr;
  const columns = (stream as { columns?: number }).columns ?? 0;
  const tty = options.tty ?? Boolean(stream.isTTY);
  // A terminal of zero columns (a pty nobody sized, e.g. `script` without a terminal) would make
  // the spinner's line arithmetic divide by zero: plain lines are the safe answer there.
  if (!tty || columns <= 0 || process.env['CI']) return plainProgress(stream, options.quiet ?? false);
  const { default: ora } = await import('ora');
  let spinner: Spinner | undefined;
  const ensure = (text: string): Spinner => {
    if (!spinner) spinner = ora({ text, stream: stream as NodeJS.WriteStream, discardStdin: false, isEnabled: true }).start() as unknown as Spinner;
    return spinner;
  };
  return {
    update(text) {
      ensure(text).text = text;
    },
    note(text) {
      if (!spinner) {
        stream.write(`${text}\n`);
        return;
      }
      spinner.clear();
      stream.write(`${text}\n`);
      spinner.render();
    },
    succeed(text) {
      if (spinner) spinner.succeed(text);
      else stream.write(`✔ ${text}\n`);
      spinner = undefined;
    },
    fail(text) {
      if (spinner) spinner.fail(text);
      else stream.write(`✖ ${text}\n`);
      spinner = undefined;
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}

export function plainProgress(stream: NodeJS.WritableStream, quiet = false): Progress {
  let last = '';
  return {
    update(text) {
      if (quiet || text === last) return;
      last = text;
      stream.write(`${text}\n`);
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

/** A Progress that records lines, for services called from tests or other services. */
export function silentProgress(sink: string[] = []): Progress & { lines: string[] } {
  return {
    lines: sink,
    update: (text) => void sink.push(text),
    note: (text) => void sink.push(text),
    succeed: (text) => void sink.push(`✔ ${text}`),
    fail: (text) => void sink.push(`✖ ${text}`),
    stop: () => {},
  };
}
