'use strict';
// Runs a client (systemctl, journalctl, systemd-analyze...) for the launchers beside it.
// `npm run build` joins each client into one script, dist/bundle/NAME.cjs, with V8's code cache
// beside it (scripts/bundle-cli.mjs); running that costs one read and, with the cache, no parse,
// where the ES modules under dist/ cost a resolve, a read and a compile each. When the bundle is
// missing, or older than the module tsc wrote last (a `tsc` without the bundle step), the
// modules under dist/ run as before. CommonJS (init/package.json) so that Node starts this
// without its ES module loader.
//   node init/launch.cjs --write-cache NAME    (scripts/bundle-cli.mjs) writes NAME.cache.
const fs = require('node:fs');
const path = require('node:path');

/** Each launcher's name → its entry module under dist/. */
const ENTRIES = {
  systemctl: 'cli/systemctl.js',
  journalctl: 'cli/journalctl.js',
  'systemd-analyze': 'cli/analyze.js',
  'systemd-ask-password': 'cli/systemd-ask-password.js',
  'systemd-tty-ask-password-agent': 'cli/systemd-tty-ask-password-agent.js',
};

const dist = path.join(__dirname, '..', 'dist');

function fail(name, message) {
  process.stderr.write(name + ': ' + message + '\n');
  process.exit(1);
}

/** mtime in ms, or -1 when the file is not there. */
function mtime(file) {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st === undefined ? -1 : st.mtimeMs;
}

/**
 * The code cache a run learns into: one a systemctl verb (systemctl.status.cache), one for each
 * other tool (journalctl.run.cache). The cache `npm run build` writes holds each module's top level
 * only; the functions a verb calls are compiled as it runs, and a cache taken at the end of its
 * first run holds them too. Keyed by the first word that looks like a verb (lowercase letters and
 * dashes: unit names have a dot, properties capitals), so the names stay few.
 */
function learnedCacheName(name) {
  if (name !== 'systemctl') return name + '.run';
  const verb = process.argv.slice(2).find((a) => !a.startsWith('-'));
  return verb !== undefined && /^[a-z][a-z-]{0,30}$/.test(verb) ? name + '.' + verb : name + '.run';
}

function readOrUndefined(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Exit codes of a run that did its verb's work: 0, and 3 (status/is-active of a unit that is
 * not running). A failed run (no daemon, bad arguments: 1) compiles little beyond the error
 * path, and its cache, written once and never refreshed, would leave the verb slow for good.
 */
const LEARN_ON_EXIT_CODES = new Set([0, 3]);

/**
 * Writes the cache the run learned once it ends, when there was none yet and the run did its
 * work. Atomic (rename), and silent when dist/ is read-only or anything else fails: the cache
 * only saves time.
 */
function learnOnExit(script, file) {
  process.once('exit', (code) => {
    if (!LEARN_ON_EXIT_CODES.has(code)) return;
    const tmp = file + '.' + process.pid;
    try {
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, file);
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // nothing was written
      }
    }
  });
}

/** The daemon's entry module, bundled as dist/bundle/unitd.cjs (init/unitd runs it). */
const DAEMON_ENTRY = 'manager/main.js';

/**
 * The entry module's exports from the bundle, or undefined when there is no current bundle.
 * writeCache: write NAME.cache (the build); learn: false for the daemon, which has no code cache
 * at all (see scripts/bundle-cli.mjs) and whose exit is the container's: it reads none either.
 */
function loadBundle(name, entry, writeCache, learnAllowed = true) {
  const dir = path.join(dist, 'bundle');
  const file = path.join(dir, name + '.cjs');
  const built = mtime(file);
  if (built < 0 || built < mtime(path.join(dist, entry))) return undefined;
  const vm = require('node:vm');
  const { pathToFileURL } = require('node:url');
  const buildCache = path.join(dir, name + '.cache');
  const learnedCache = path.join(dir, learnedCacheName(name) + '.cache');
  let cachedData;
  let learn = false;
  if (!writeCache && learnAllowed) {
    cachedData = readOrUndefined(learnedCache);
    if (cachedData === undefined) {
      cachedData = readOrUndefined(buildCache);
      learn = true;
    }
  }
  const script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file, cachedData });
  if (script.cachedDataRejected === true) learn = true;
  if (!learnAllowed) learn = false;
  // Packages resolve from here as from dist/ (the same node_modules); builtins are the same anyway.
  const exported = script.runInThisContext()(pathToFileURL(dist).href + '/', require);
  if (writeCache) fs.writeFileSync(buildCache, script.createCachedData());
  else if (learn) learnOnExit(script, learnedCache);
  return exported;
}

async function run(name) {
  const entry = ENTRIES[name];
  const target = path.join(dist, entry);
  let mod = loadBundle(name, entry, false);
  if (mod === undefined) {
    if (!fs.existsSync(target)) fail(name, target + ' is not built yet (run "npm run build").');
    mod = await import(require('node:url').pathToFileURL(target).href);
  }
  if (typeof mod.runCli === 'function') await mod.runCli(process.argv.slice(2));
  else if (typeof mod.main === 'function') {
    const rc = await mod.main(process.argv.slice(2));
    if (typeof rc === 'number') process.exitCode = rc;
  }
}

/** Each launcher's body: run NAME, any exception one line. */
function launch(name) {
  run(name).catch((e) => fail(name, e && e.message ? e.message : String(e)));
}

module.exports = { ENTRIES, DAEMON_ENTRY, launch, loadBundle };

if (require.main === module && process.argv[2] === '--write-cache') {
  const name = process.argv[3];
  if (ENTRIES[name] === undefined || loadBundle(name, ENTRIES[name], true) === undefined) fail('launch.cjs', 'no current bundle for ' + name);
}
