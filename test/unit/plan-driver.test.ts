// Issue 12 trap 7: the driver heartbeat in the run record and the "not driven" rule.
import { describe, expect, it } from 'vitest';
import { driverLive, fromConfigMap, mergeRun, toConfigMap, type StoredRun } from '../../src/plan/run-store.js';

const base: StoredRun = { source: 's', inputs: {}, shape: {}, approvals: {}, items: {}, verdicts: {}, cancelled: false, planName: 'p', createdAt: '2026-01-01T00:00:00.000Z' };

describe('driver heartbeat', () => {
  it('round-trips through the ConfigMap, and a record without one reads as unknown', () => {
    const run = { ...base, driver: { lastSeen: '2026-01-01T00:00:10.000Z', intervalSeconds: 10 } };
    expect(fromConfigMap(toConfigMap('id', 'ns', run)).driver).toEqual(run.driver);
    expect(fromConfigMap(toConfigMap('id', 'ns', base)).driver).toBeUndefined();
    expect(driverLive(undefined, Date.parse(base.createdAt), {})).toBeUndefined();
  });

  it('merges monotonically: an older beat never moves the newer one back, and other fields stay', () => {
    const newer = { lastSeen: '2026-01-01T00:01:00.000Z', intervalSeconds: 10 };
    const older = { lastSeen: '2026-01-01T00:00:30.000Z', intervalSeconds: 10 };
    const current = { ...base, cancelled: true, driver: newer };
    expect(mergeRun(current, { driver: older })).toEqual(current);
    expect(mergeRun({ ...base, driver: older }, { driver: newer }).driver).toEqual(newer);
  });

  it('is live for three intervals by default; SEI_PLAN_DRIVER_STALE_SECONDS overrides the threshold', () => {
    const driver = { lastSeen: '2026-01-01T00:00:00.000Z', intervalSeconds: 10 };
    const at = (seconds: number) => Date.parse(driver.lastSeen) + seconds * 1000;
    expect(driverLive(driver, at(30), {})).toBe(true);
    expect(driverLive(driver, at(31), {})).toBe(false);
    expect(driverLive(driver, at(1), { SEI_PLAN_DRIVER_STALE_SECONDS: '0' })).toBe(false);
    expect(driverLive(driver, at(100), { SEI_PLAN_DRIVER_STALE_SECONDS: '3600' })).toBe(true);
  });
});
