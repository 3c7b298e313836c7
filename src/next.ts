/** `logcache/next`: see src/integrations/next.ts. Entry points live at src/<name>.ts (scripts/entries.mjs). */
export * from './integrations/next.js';
export { default } from './integrations/next.js';
