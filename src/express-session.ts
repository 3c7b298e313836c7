/** `logcache/express-session`: see src/integrations/express-session.ts. Entry points live at src/<name>.ts (scripts/entries.mjs). */
export * from './integrations/express-session.js';
export { default } from './integrations/express-session.js';
