import { DEFAULTS } from './defaults.js';

const isPlain = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(base[k]) ? merge(base[k], v) : v;
  return out;
}

/** The defaults with the user's overrides applied. */
export function loadConfig(overrides = {}) {
  return merge(DEFAULTS, overrides);
}
