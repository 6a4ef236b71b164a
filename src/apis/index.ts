// The API model: one import for every kind the project reads or writes.
export * from './meta.js';
export * from './core.js';
export * from './networking.js';
export * from './crd.js';
export * from './controlplane.js';
export * from './labels.js';
