export * from './exit-codes.js';
export * from './sei-error.js';
