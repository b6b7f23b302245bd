import { DEFAULTS } from './defaults.js';

/** The defaults with the user's overrides applied. */
export function loadConfig(overrides = {}) {
  return { ...DEFAULTS, ...overrides };
}
