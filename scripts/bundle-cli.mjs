// Run by `npm run build` after tsc: joins each client (systemctl, journalctl, systemd-analyze) and
// every module it can reach into one script, dist/bundle/NAME.cjs, and writes V8's code cache for
// it beside it (NAME.cache). init/launch.cjs runs that script with vm.Script and the cache, so
// a client start pays neither the ES module loader (a resolve, a read and a compile per module:
// about a third of `systemctl status`'s CPU) nor a parse of what the cache already holds.
// dist/ stays as tsc wrote it: the daemon, the tests and a missing or stale bundle use it.
//
// Each module is the file tsc emitted, turned into CommonJS by TypeScript's own transpiler
// (no bundler dependency): static imports become require(), dynamic import() of our own modules a
// require() behind a promise, so a verb still loads only what it needs, now without leaving the
// script. import.meta.url becomes the module's dist/ URL, so paths relative to it still hold.
// Packages and node: builtins stay outside (the real require, from dist/).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'bundle');
const { ENTRIES, DAEMON_ENTRY } = createRequire(import.meta.url)('../init/launch.cjs');
/** The argument the wrapper of each module receives for import.meta.url. */
const META = '__unitdMetaUrl';

function transpile(id) {
  const source = readFileSync(join(dist, id), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
  const { outputText, diagnostics } = ts.transpileModule(source.replace(/\bimport\.meta\.url\b/g, META), {
    fileName: id,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, removeComments: true },
  });
  if (diagnostics?.length) throw new Error(`${id}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
  if (/\bimport\.meta\b|\bimport\(/.test(outputText.replace(/\/\/.*$/gm, ''))) throw new Error(`${id}: import.meta or import() left after transpiling`);
  // ASCII only: V8 keeps a source with any other character as two bytes a character (twice the
  // memory, for the life of the process). Comments are gone; in strings, templates, regular
  // expressions and identifiers \uXXXX means the same character (surrogate pairs included).
  return outputText.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every module reachable from ENTRY by relative require(), transpiled. */
function collect(entry) {
  const modules = new Map();
  const queue = [entry];
  while (queue.length > 0) {
    const id = queue.shift();
    if (modules.has(id)) continue;
    const code = transpile(id);
    modules.set(id, code);
    for (const [, , spec] of code.matchAll(/\brequire\((['"])(\.[^'"]+)\1\)/g)) queue.push(posix.join(posix.dirname(id), spec));
  }
  return modules;
}

function bundle(entry, modules) {
  const parts = ['(function (distUrl, hostRequire) {', "'use strict';", 'const defs = {'];
  for (const [id, code] of modules) {
    // Not parenthesized: V8 compiles a wrapper only when its module loads, so a cache holds the modules its run loaded.
    parts.push(`${JSON.stringify(id)}: function (exports, require, module, ${META}) {\n${code}\n},`);
  }
  parts.push(
    '};',
    'const cache = new Map();',
    'function load(id) {',
    '  let module = cache.get(id);',
    '  if (module !== undefined) return module.exports;',
    '  const def = defs[id];',
    '  module = { exports: {} };',
    '  cache.set(id, module);',
    '  def.call(module.exports, module.exports, (spec) => requireFrom(id, spec), module, distUrl + id);',
    '  return module.exports;',
    '}',
    'function requireFrom(from, spec) {',
    "  if (spec.startsWith('.')) return load(join(from, spec));",
    '  return hostRequire(spec);',
    '}',
    '/** posix.join(posix.dirname(from), spec) for the relative specifiers tsc emits. */',
    'function join(from, spec) {',
    "  const parts = from.split('/');",
    '  parts.pop();',
    "  for (const p of spec.split('/')) {",
    "    if (p === '..') parts.pop();",
    "    else if (p !== '.') parts.push(p);",
    '  }',
    "  return parts.join('/');",
    '}',
    `return load(${JSON.stringify(entry)});`,
    '})',
  );
  return parts.join('\n') + '\n';
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The daemon too (init/unitd), without a code cache: its entry starts the daemon when it runs,
// and functions V8 compiles lazily cost PID 1 less memory than a cache's eager bytecode.
for (const [name, entry] of [...Object.entries(ENTRIES), ['unitd', DAEMON_ENTRY]]) {
  if (!existsSync(join(dist, entry))) throw new Error(`bundle-cli: dist/${entry} is missing (run tsc first)`);
  const modules = collect(entry);
  const file = join(out, `${name}.cjs`);
  writeFileSync(file, bundle(entry, modules));
  if (name === 'unitd') {
    process.stdout.write(`bundle-cli: ${relative(root, file)}: ${modules.size} modules\n`);
    continue;
  }
  // The code cache comes from a node started as the launcher starts it (no flags: V8 rejects a
  // cache made under other flags), after the script ran, so it holds what ran at load time too.
  const r = spawnSync(process.execPath, [join(root, 'init', 'launch.cjs'), '--write-cache', name], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`bundle-cli: writing the code cache of ${name} failed: ${r.stderr || r.error}`);
  process.stdout.write(`bundle-cli: ${relative(root, file)}: ${modules.size} modules\n`);
}
