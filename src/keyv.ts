/** `logcache/keyv`: see src/integrations/keyv.ts. Entry points live at src/<name>.ts (scripts/entries.mjs). */
export * from './integrations/keyv.js';
export { default } from './integrations/keyv.js';
