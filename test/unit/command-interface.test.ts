/**
 * The command-line interface is a contract: scripts and runbooks call these commands with these
 * flags. A committed snapshot of every command's arguments and flags (from the oclif manifest the
 * build writes) makes any change to it visible in review instead of in someone's pipeline.
 * After an intended change: `npx vitest run test/unit/command-interface -u`.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

interface ManifestFlag { name: string; char?: string; type: string; options?: string[]; multiple?: boolean; required?: boolean; default?: unknown; dependsOn?: string[] }
interface ManifestCommand { args: Record<string, { name: string; required?: boolean }>; flags: Record<string, ManifestFlag> }

const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as { commands: Record<string, ManifestCommand> };

function describeCommand(command: ManifestCommand): Record<string, unknown> {
  return {
    args: Object.values(command.args).map((arg) => `${arg.name}${arg.required ? '' : '?'}`),
    flags: Object.values(command.flags)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((flag) =>
        [
          `--${flag.name}`,
          flag.char ? `-${flag.char}` : '',
          flag.type === 'boolean' ? 'boolean' : flag.options ? `(${flag.options.join('|')})` : 'value',
          flag.multiple ? 'multiple' : '',
          flag.required ? 'required' : '',
          flag.default !== undefined ? `default=${JSON.stringify(flag.default)}` : '',
          flag.dependsOn ? `needs ${flag.dependsOn.map((name) => `--${name}`).join(',')}` : '',
        ]
          .filter(Boolean)
          .join(' '),
      ),
  };
}

it('every command keeps its arguments and flags', async () => {
  const ids = Object.keys(manifest.commands).sort();
  expect(ids.length).toBeGreaterThanOrEqual(30);
  const snapshot = Object.fromEntries(ids.map((id) => [id.replaceAll(':', ' '), describeCommand(manifest.commands[id]!)]));
  await expect(`${JSON.stringify(snapshot, null, 2)}\n`).toMatchFileSnapshot('../fixtures/command-interface.json');
});
