/**
 * The confirmation rule for destructive operations: on a terminal the operator types the node's
 * name; anywhere else --yes is required (the service refuses with exit 2 without it).
 * Returns undefined when stdin/stderr are not a terminal, so the service knows it cannot ask.
 */
import type { Confirm } from '../services/workflows.js';

export function terminalConfirm(): Confirm | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (prompt, expected) => {
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      const answer = await rl.question(prompt);
      return answer.trim() === expected;
    } finally {
      rl.close();
    }
  };
}
