/**
 * The one start-up sequence of the npm package's bin and of the release executable: the fast
 * path first (dist/bundle/quick.cjs, src/cli/quick.ts), and only when it declines, the full CLI
 * (dist/bundle/cli.cjs: oclif and every command). Both bundles load through the V8 code cache
 * kept beside them (code-cache.ts). Completion requests (kubectl_complete-sei) go straight to
 * the full CLI, which knows every command. `--version` alone is answered here, as oclif words
 * it, with one write to fd 1: it is what scripts and krew run to see that the plugin works, and
 * loading any bundle would double its time.
 */
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { userAgent } from '../domain/build-info.js';
import { requireWithCodeCache } from './code-cache.js';

interface QuickModule {
  runQuick(argv: readonly string[]): Promise<boolean>;
}

interface CliModule {
  main(commands: unknown, dir: string, argv: readonly string[]): Promise<void>;
  COMMANDS: unknown;
}

/**
 * `root` is the package directory (holding dist/), `dir` the URL oclif finds package.json from,
 * `argv` the arguments after the program; `completion` runs cobra's __complete protocol instead.
 */
export async function launch(root: string, dir: string, rawArgv: readonly string[], completion = false): Promise<void> {
  const argv = launcherArgs(rawArgv);
  if (!completion && argv.length === 1 && argv[0] === '--version') {
    writeLine(`${userAgent()}\n`);
    return;
  }
  const bundle = (name: string) => join(root, 'dist', 'bundle', name);
  if (!completion) {
    const quick = requireWithCodeCache<QuickModule>(bundle('quick.cjs'));
    if (await quick.exports.runQuick(argv)) return;
    quick.skipCacheWrite();
  }
  const { exports: cli } = requireWithCodeCache<CliModule>(bundle('cli.cjs'));
  await cli.main(cli.COMMANDS, dir, completion ? ['__complete', ...argv] : argv);
}

/**
 * One short line to stdout without creating process.stdout (a stream, ~2 ms): a closed pipe
 * (`--version | true`) is not an error, as oclif treats it, and a non-blocking pipe that is full
 * gets the stream after all.
 */
function writeLine(text: string): void {
  try {
    writeSync(1, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') process.stdout.write(text);
    else if (code !== 'EPIPE') throw error;
  }
}

/**
 * The release launcher runs the executable as `kubectl-sei-bin -- ARGS` (Node stops looking for
 * its own --env-file at `--`); that first `--` is the launcher's, not the user's.
 */
function launcherArgs(argv: readonly string[]): readonly string[] {
  return argv[0] === '--' ? argv.slice(1) : argv;
}
