// The fast path takes only arguments it reads exactly as oclif does, and declines the rest to
// the full CLI (src/cli/quick.ts planQuick). test/e2e/fast-path.test.ts compares the answers.
import { describe, expect, it } from 'vitest';
import { planQuick } from '../../src/cli/quick.js';

describe('planQuick', () => {
  it.each([
    [['task', 'get'], 'task:get', [], {}],
    [['-n', 'sei', 'task', 'get', '-w'], 'task:get', [], { namespace: 'sei', watch: true }],
    [['node', 'get', 'a', 'b', '-ojson'], 'node:get', ['a', 'b'], { output: 'json' }],
    [['workflow', 'get', '--node', 'rpc-0', '-A'], 'workflow:get', [], { node: 'rpc-0', 'all-namespaces': true }],
    [['task', 'get', '--sort-by=.metadata.name', '-v=6'], 'task:get', [], { 'sort-by': '.metadata.name' }],
    [['version', '-o', 'yaml'], 'version', [], { output: 'yaml' }],
  ])('takes %j', (argv, id, args, flags) => {
    const plan = planQuick(argv);
    expect(plan && { id: plan.id, args: plan.args }).toEqual({ id, args });
    expect(plan?.flags).toMatchObject(flags);
  });

  it.each([
    [['task', 'get', '-h'], 'help is oclif’s'],
    [['task', 'get', '--help'], 'help is oclif’s'],
    [['help', 'task', 'get'], 'help is oclif’s'],
    [['task', 'get', '-Aw'], 'grouped short flags'],
    [['task', 'get', '-o=json'], "a short flag's = form"],
    [['task', 'get', '-o', 'json', '-o', 'yaml'], 'a flag given twice'],
    [['task', 'get', '--', 'x'], 'the end of flags'],
    [['task', 'get', '--bogus'], 'an unknown flag'],
    [['task', 'get', '-n'], 'a flag without its value'],
    [['task', 'get', '-n', '-A'], 'a value that looks like a flag'],
    [['task', 'get', '--watch=true'], 'a value on a boolean'],
    [['task', 'get', '--output='], 'an empty value'],
    [['task', 'apply', '-f', 'x'], 'another command'],
    [['tsk', 'get'], 'an unknown command'],
    [['task'], 'a topic'],
    [['version', 'extra'], 'an argument version does not take'],
    [['version', '-o', 'xml'], 'a value outside the options'],
  ])('declines %j (%s)', (argv) => {
    expect(planQuick(argv)).toBeUndefined();
  });
});
