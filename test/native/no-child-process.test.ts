// The daemon starts services only through src/native: child_process would let libuv race
// our waitid(P_ALL) reaper for exit statuses (see src/native/README.md).

import t from 'tap';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const DAEMON_AREAS = ['src/manager', 'src/exec', 'src/journal', 'src/control'];
const CHILD_PROCESS_USE = /(from\s+|import\s*\(\s*|require\s*\(\s*)['"](node:)?child_process['"]/;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

t.test('no daemon area imports child_process', async (t) => {
  const files = DAEMON_AREAS.flatMap((area) => sourceFiles(join(root, area)));
  t.comment(`checked ${files.length} files under ${DAEMON_AREAS.join(', ')}`);
  const offenders = files.filter((file) => CHILD_PROCESS_USE.test(readFileSync(file, 'utf8')));
  t.same(offenders.map((file) => file.slice(root.length + 1)), [], 'files importing child_process');
});

t.test('the pattern catches every import form', async (t) => {
  for (const line of [
    "import { spawn } from 'node:child_process';",
    'import cp from "child_process";',
    "const cp = await import('node:child_process');",
    "const cp = require('child_process');",
    "export { spawn } from 'child_process';",
  ]) t.match(line, CHILD_PROCESS_USE, line);
  t.notMatch("import { spawn } from '../native/index.js';", CHILD_PROCESS_USE);
});
