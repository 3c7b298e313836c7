// Injected into the ESM bundles by scripts/build.mjs: the loader that bundled CommonJS code's `require` of a Node
// built-in becomes (an ESM bundle has no `require`; see src/builtin.ts).
export { builtin as __logcache_builtin } from '../src/builtin.ts';
