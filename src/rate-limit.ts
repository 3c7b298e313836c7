/** `logcache/rate-limit`: see src/integrations/rate-limit.ts. Entry points live at src/<name>.ts (scripts/entries.mjs). */
export * from './integrations/rate-limit.js';
export { default } from './integrations/rate-limit.js';
