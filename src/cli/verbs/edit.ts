// `systemctl edit UNIT...`: a drop-in (override.conf) or, with --full, a copy
// of the whole unit file, edited in a temporary file next to its destination
// and moved into place, then a daemon-reload. The frame, the file names and
// the messages are systemd 252's (systemctl-edit.c); an editor run once for
// all files, chosen as run_editor() chooses it.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UnitStore } from '../../units/loader.js';
import { mangleUnitName } from '../../units/unit-name.js';
import { logLine } from '../colors.js';
import { reloadManager } from './manager-link.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';

const MARKER_START = '### Anything between here and the comment below will become the new contents of the file\n';
const MARKER_END = '\n### Lines below this comment will be discarded';
const FALLBACK_EDITORS = ['editor', 'nano', 'vim', 'vi'];

interface EditTarget {
  /** Where the result goes. */
  dest: string;
  /** The temporary file the editor gets. */
  temp: string;
}

function readOrEmpty(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `.#NAME` plus 16 hex digits in the destination's directory, as systemd's tempfn_random(). */
function tempPathFor(dest: string): string {
  return path.join(path.dirname(dest), `.#${path.basename(dest)}${randomBytes(8).toString('hex')}`);
}

/** The drop-in frame: the current override between the markers, the unit's other files commented below. */
export function dropInFrame(dest: string, current: string | undefined, others: { path: string; text: string | undefined }[]): string {
  const body = current ?? '';
  // The end marker has no newline of its own: each file below starts with two.
  let out = `### Editing ${dest}\n${MARKER_START}\n${body}${body.endsWith('\n') ? '' : '\n'}${MARKER_END}`;
  for (const o of others) {
    out += `\n\n### ${o.path}`;
    const text = (o.text ?? '').trim();
    if (text !== '') out += `\n# ${text.replace(/\n/g, '\n# ')}`;
  }
  return out;
}

/** What the editor left between the markers (or the whole file without them), stripped. */
export function trimEditMarkers(text: string): string {
  let start = text.indexOf(MARKER_START);
  start = start < 0 ? 0 : start + MARKER_START.length;
  const end = text.indexOf(MARKER_END, start);
  return (end < 0 ? text.slice(start) : text.slice(start, end)).trim();
}

type EditorOutcome = { ok: true } | { ok: false; message: string };

/** Run the first editor that exists with every file at once; a missing one falls through to the next. */
function runEditor(files: string[], env: NodeJS.ProcessEnv): EditorOutcome {
  const candidates: string[][] = [];
  for (const v of ['SYSTEMD_EDITOR', 'EDITOR', 'VISUAL']) {
    const value = env[v];
    if (value !== undefined && value !== '') {
      candidates.push(value.split(/\s+/).filter((w) => w !== ''));
      break;
    }
  }
  for (const e of FALLBACK_EDITORS) candidates.push([e]);
  for (const [cmd, ...args] of candidates) {
    const r = spawnSync(cmd, [...args, ...files], { stdio: 'inherit', env });
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'EACCES') continue;
    if (r.error) return { ok: false, message: `(editor) failed: ${r.error.message}` };
    if (r.signal) return { ok: false, message: `(editor) terminated by signal ${r.signal.replace(/^SIG/, '')}.` };
    if (r.status !== 0) return { ok: false, message: `(editor) failed with exit status ${r.status}.` };
    return { ok: true };
  }
  return { ok: false, message: 'Cannot edit files, no editor available. Please set either $SYSTEMD_EDITOR, $EDITOR or $VISUAL.' };
}

/** Build the temporary file for one unit; undefined (after the message) when it has no files. */
function prepare(ctx: VerbContext, store: UnitStore, name: string): EditTarget | undefined {
  const unit = store.load(name);
  const files = [...(unit.fragmentPath !== undefined && unit.loadState !== 'masked' ? [unit.sourcePath ?? unit.fragmentPath] : []), ...unit.dropInPaths];
  if (files.length === 0) {
    ctx.io.err(logLine('error', `No files found for ${name}.`));
    ctx.io.err(`Run 'systemctl edit --force --full ${name}' to create a new unit.`);
    return undefined;
  }
  const configDir = ctx.options.runtime ? store.lookup.runtimeConfig : store.lookup.persistentConfig;
  const dest = ctx.options.full ? path.join(configDir, unit.id) : path.join(configDir, `${unit.id}.d`, 'override.conf');
  const temp = tempPathFor(dest);
  fs.mkdirSync(path.dirname(temp), { recursive: true });
  let text: string;
  if (ctx.options.full) {
    text = readOrEmpty(fs.existsSync(dest) ? dest : files[0]) ?? '';
  } else {
    const others = files.filter((f) => f !== dest).map((f) => ({ path: f, text: readOrEmpty(f) }));
    text = dropInFrame(dest, readOrEmpty(dest), others);
  }
  fs.writeFileSync(temp, text, { mode: 0o644 });
  return { dest, temp };
}

export async function run(ctx: VerbContext): Promise<number> {
  if (process.stdout.isTTY !== true || process.stderr.isTTY !== true) {
    ctx.io.err('Cannot edit units if not on a tty.');
    return EXIT_FAILURE;
  }
  const names: string[] = [];
  for (const arg of ctx.args) {
    const m = mangleUnitName(arg, { allowGlobs: false });
    if (m === undefined || m.invalid) {
      ctx.io.err('Failed to mangle unit name: Invalid argument');
      return EXIT_FAILURE;
    }
    names.push(m.name);
  }
  const store = new UnitStore();
  const targets: EditTarget[] = [];
  try {
    for (const name of names) {
      const t = prepare(ctx, store, name);
      if (t === undefined) return EXIT_FAILURE;
      targets.push(t);
    }
    const editor = runEditor(
      targets.map((t) => t.temp),
      process.env,
    );
    if (!editor.ok) ctx.io.err(logLine('error', editor.message));
    for (const t of targets) {
      const result = trimEditMarkers(fs.readFileSync(t.temp, 'utf8'));
      if (result === '') {
        ctx.io.err(logLine('warning', `Editing "${t.dest}" canceled: temporary file is empty.`));
        continue;
      }
      // Written without a final newline, as systemd 252 does.
      fs.writeFileSync(t.temp, result);
      fs.renameSync(t.temp, t.dest);
    }
  } finally {
    for (const t of targets) fs.rmSync(t.temp, { force: true });
  }
  if (!ctx.options.noReload) await reloadManager();
  return 0;
}
