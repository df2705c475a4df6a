import { isSeiError, type SeiError } from '../../src/errors/sei-error.js';

/** The SeiError `promise` rejects with; fails the test when it resolves or throws anything else. */
export async function refusal(promise: Promise<unknown>, expectation = 'expected a refusal'): Promise<SeiError> {
  try {
    await promise;
  } catch (error) {
    if (isSeiError(error)) return error;
    throw error;
  }
  throw new Error(expectation);
}
