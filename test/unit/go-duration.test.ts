import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../src/domain/go-duration.js';
import { parseDuration } from '../../src/domain/duration.js';

describe('Go durations (--timeout, requirePhaseTimeout)', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['.5s', 500],
    ['-1s', -1000],
    ['1h2m3s4ms', 3_723_004],
    [' 5m ', 300_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '5 m', 'm', '1d', '1s2', '--1s', 'abc'])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
    expect(() => parseDuration(text, '--timeout')).toThrow(/invalid duration .* for --timeout/);
  });
});
