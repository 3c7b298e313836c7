/** `logcache/undici`: see src/integrations/undici.ts. Entry points live at src/<name>.ts (scripts/entries.mjs). */
export * from './integrations/undici.js';
export { default } from './integrations/undici.js';
