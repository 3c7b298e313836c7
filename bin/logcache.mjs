#!/usr/bin/env node
// The `logcache` command (docs/cli.md): `npx logcache <command> DIR`. Runs the built CLI in dist/.
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist')) throw err;
  process.stderr.write('logcache: dist/ is missing; in a checkout of the repository, run `npm run build` first\n');
  process.exit(2);
}
process.exitCode = cli.main(process.argv.slice(2));
