/** `logcache/keyv`: the Keyv storage adapter (src/api/keyv.ts). Entry points live at src/<name>.ts. */
export * from './api/keyv.js';
export { default } from './api/keyv.js';
