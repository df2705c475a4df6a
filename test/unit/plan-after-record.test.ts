// Issue 12 trap 6: once `plan apply` wrote the run record, no error may say "nothing was written".
import { describe, expect, it } from 'vitest';
import { SeiError } from '../../src/errors/index.js';
import { afterRecordWritten } from '../../src/services/plan-prepare.js';

describe('afterRecordWritten', () => {
  it('replaces "nothing was written" in the message and hints by the record that was, with resume and cancel', () => {
    const before = SeiError.invalid('SeiNodeTask x is invalid; nothing was written', [{ field: 'spec.kind', type: 'FieldValueNotSupported', message: 'm' }], ['fix the fields named above; nothing was written']);
    const after = afterRecordWritten(before, 'abc', 'sei') as SeiError;
    const text = [after.message, ...after.hints].join('\n');
    expect(text).not.toMatch(/nothing (more )?was written/i);
    expect(after.message).toContain('sei-plan-abc was written');
    expect(after.hints.at(-1)).toContain('kubectl sei plan resume abc -n sei');
    expect(after.hints.at(-1)).toContain('kubectl sei plan cancel abc -n sei');
    expect(after.exitCode).toBe(before.exitCode);
    expect(after.causes).toEqual(before.causes);
  });

  it('leaves other errors alone', () => {
    const error = SeiError.timeout('took too long', ['resume it']);
    expect(afterRecordWritten(error, 'abc', 'sei')).toBe(error);
  });
});
