/**
 * The package as npm publishes it and a user installs it: a clean copy of the repository (the files git tracks or
 * would track, as a fresh clone has them, plus the dev tools from node_modules), `npm pack` there (its `prepack`
 * builds dist/), and `npm install` of the tarball into an empty project.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, explain, which } from './helpers.js';

export interface Packed {
  /** The temporary folder holding everything below; the caller removes it. */
  work: string;
  tarball: string;
  /** Paths inside the tarball (`dist/index.js`, ...), and its packed size in bytes. */
  files: string[];
  size: number;
  /** An ESM project (`"type": "module"`) with the tarball installed in node_modules/logcache. */
  project: string;
}

/** Runs npm (from PATH); throws with its output when it fails. */
export function npm(args: string[], cwd: string, timeout = 300_000): string {
  const bin = which('npm');
  if (!bin) throw new Error('npm is not on PATH');
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${explain(r)}`);
  return r.stdout;
}

/** The repository's files as a fresh clone has them (tracked, and new files not ignored), from the work tree. */
function cloneFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ls-files failed (the test needs a git checkout):\n${explain(r)}`);
  return r.stdout.split('\0').filter((f) => f && fs.existsSync(path.join(ROOT, f)));
}

/** Packs a clean copy of the repository and installs the tarball into a new project. */
export function packAndInstall(): Packed {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-packed-'));
  try {
    const clone = path.join(work, 'clone');
    for (const f of cloneFiles()) {
      fs.mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(clone, f));
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    // prepack's own output comes first on stdout, then npm's JSON.
    const out = npm(['pack', '--json', '--pack-destination', work], clone);
    const [info] = JSON.parse(out.slice(out.search(/^\[/m))) as { filename: string; size: number; files: { path: string }[] }[];
    const project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const tarball = path.join(work, info.filename);
    // No registry: the package has no dependencies to fetch.
    npm(['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], project);
    return { work, tarball, files: info.files.map((f) => f.path), size: info.size, project };
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    throw err;
  }
}
