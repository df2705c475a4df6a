/**
 * The full CLI's entry (dist/bundle/cli.cjs): kubectl-style arguments through the front door
 * (src/cli/front-door.ts), then oclif runs the command. The fast path (src/cli/quick.ts) answers
 * the few commands it knows before this bundle is loaded at all.
 */
import { execute } from '@oclif/core/execute';
import { applyFrontDoorSettings, frontDoor, type CommandShape } from './front-door.js';

/** The bundle's entry: the front door, then oclif. */
export async function main(commands: Readonly<Record<string, CommandShape>>, dir: string, argv: readonly string[]): Promise<void> {
  if (argv[0] === '__complete' || argv[0] === '__completeNoDesc') {
    // cobra's protocol, as kubectl asks kubectl_complete-sei (src/cli/completion.ts).
    const { complete } = await import('./completion.js');
    const answer = await complete(argv.slice(1), commands);
    process.stdout.write(argv[0] === '__completeNoDesc' ? answer.replace(/\t[^\n]*/g, '') : answer);
    return;
  }
  const result = frontDoor(argv, commands);
  if (result.kind === 'error') {
    process.stderr.write(`${result.message}\n`);
    process.exitCode = result.exitCode;
    return;
  }
  await applyFrontDoorSettings(result);
  await execute({ dir, args: result.argv });
}
