/**
 * `task render update-image` means the kind the `task update-image` command runs
 * (update-node-image): the paved-road command classes already name their kind (kindName), so
 * that table is the one source; a catalog kind of the same name (--templates-dir) still wins.
 */
import type { Command } from '@oclif/core/command';

type Config = Command['config'];

interface WithKindName {
  kindName?: string;
}

export async function kindOfCommand(config: Config, name: string, templatesDir?: string): Promise<string> {
  const command = config.findCommand(`task:${name}`);
  if (!command) return name;
  const kindName = ((await command.load()) as unknown as WithKindName).kindName;
  if (!kindName || kindName === name) return name;
  const { isCatalogKind } = await import('../services/kind-names.js');
  return isCatalogKind(name, templatesDir) ? name : kindName;
}
