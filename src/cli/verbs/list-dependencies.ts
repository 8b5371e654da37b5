// list-dependencies: the dependency tree of a unit, built from unit files (the
// same graph the manager would build: settings, .wants/.requires entries and
// default dependencies). The glyph shows each unit's state as the manager
// reports it; without a manager every unit is inactive, hence "○".

import { DependencySets } from '../../units/implicit-deps.js';
import { UnitStore, effectiveDependencies } from '../../units/loader.js';
import { mangleUnitName, unitTypeOf } from '../../units/unit-name.js';
import { EXIT_FAILURE, VerbContext } from './verb.js';
import { connectControl } from '../../control/client.js';
import { controlSocketPath } from '../../control/paths.js';

const FORWARD: (keyof DependencySets)[] = ['requires', 'requisite', 'wants', 'bindsTo', 'upholds'];
const INACTIVE_GLYPH = '\u25cb';
const TREE = { vertical: '\u2502 ', space: '  ', right: '\u2514\u2500', branch: '\u251c\u2500' };

/** Targets go last, otherwise case-insensitive by name (systemctl's list_dependencies_compare). */
function compareDeps(a: string, b: string): number {
  const at = unitTypeOf(a) === 'target';
  const bt = unitTypeOf(b) === 'target';
  if (at !== bt) return at ? 1 : -1;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

type Graph = (name: string) => string[];

function forwardGraph(store: UnitStore, o: VerbContext['options']): Graph {
  return (name) => {
    const deps = effectiveDependencies(store.load(name));
    if (o.after) return deps.after;
    if (o.before) return deps.before;
    const out: string[] = [];
    for (const k of FORWARD) for (const d of deps[k]) if (!out.includes(d)) out.push(d);
    // ConsistsOf= is the inverse of PartOf=, which needs every unit; skipped in the forward view.
    return out;
  };
}

function reverseGraph(store: UnitStore, o: VerbContext['options']): Graph {
  const reverse = new Map<string, string[]>();
  const push = (to: string, from: string): void => {
    const l = reverse.get(to) ?? [];
    if (!l.includes(from)) l.push(from);
    reverse.set(to, l);
  };
  for (const n of store.knownNames()) {
    const unit = store.load(n);
    if (unit.loadState !== 'loaded') continue;
    const deps = effectiveDependencies(unit);
    const kinds: (keyof DependencySets)[] = o.after ? ['before'] : o.before ? ['after'] : [...FORWARD, 'partOf'];
    for (const k of kinds) for (const d of deps[k]) push(store.resolveId(d), unit.id);
  }
  return (name) => reverse.get(store.resolveId(name)) ?? [];
}

/** The manager's ActiveState of each name, or nothing when there is no manager to ask. */
async function activeStates(names: string[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (names.length === 0) return states;
  try {
    const d = await connectControl(controlSocketPath(), undefined, { blocking: true });
    try {
      const props = await d.unitProperties(names);
      names.forEach((n, i) => states.set(n, String(props[i]?.ActiveState ?? 'inactive')));
    } finally {
      d.close();
    }
  } catch {
    /* no manager: everything is inactive */
  }
  return states;
}

/** list_dependencies_print(): ● for any active-ish state, × failed, ○ otherwise. */
function glyphOf(state: string | undefined): string {
  if (state === 'failed') return '\u00d7';
  if (state === 'active' || state === 'reloading' || state === 'activating' || state === 'deactivating') return '\u25cf';
  return INACTIVE_GLYPH;
}

export async function run(ctx: VerbContext): Promise<number> {
  const lines: { text: string; unit?: string }[] = [];
  const rc = collect(ctx, lines);
  const states = await activeStates([...new Set(lines.flatMap((l) => (l.unit === undefined ? [] : [l.unit])))]);
  for (const l of lines) ctx.io.out(l.unit === undefined ? l.text : `${glyphOf(states.get(l.unit))} ${l.text}`);
  return rc;
}

function collect(ctx: VerbContext, lines: { text: string; unit?: string }[]): number {
  const o = ctx.options;
  const store = new UnitStore();
  const graph = o.reverse ? reverseGraph(store, o) : forwardGraph(store, o);
  const roots = ctx.args.length > 0 ? ctx.args : ['default.target'];
  for (const arg of roots) {
    const m = mangleUnitName(arg, { allowGlobs: false });
    if (m === undefined || m.invalid) {
      for (const l of lines) ctx.io.out(l.text);
      lines.length = 0;
      ctx.io.err('Failed to mangle unit name: Invalid argument');
      return EXIT_FAILURE;
    }
    lines.push({ text: m.name });
    const path: string[] = [];
    const visitedPlain = new Set<string>();
    // Depth-first with its own stack: a chain of targets thousands deep overflowed the JS one.
    const frames: { deps: string[]; idx: number; level: number; branches: number }[] = [];
    const enter = (name: string, level: number, branches: number): void => {
      path.push(name);
      visitedPlain.add(name);
      frames.push({ deps: [...graph(name)].sort(compareDeps), idx: 0, level, branches });
    };
    enter(m.name, 0, 0);
    while (frames.length > 0) {
      const f = frames[frames.length - 1];
      if (f.idx >= f.deps.length) {
        frames.pop();
        if (!o.plain) path.pop();
        continue;
      }
      const { level, branches } = f;
      const dep = f.deps[f.idx];
      const last = f.idx === f.deps.length - 1;
      f.idx++;
      const seen = o.plain ? visitedPlain.has(dep) : path.includes(dep);
      if (seen) {
        if (!o.plain) lines.push({ text: '  ' + indent(level + 1, (branches << 1) | (last ? 0 : 1)) + (last ? TREE.right : TREE.branch) + '...' });
        continue;
      }
      if (o.plain) lines.push({ text: '  '.repeat(level + 1) + dep });
      else lines.push({ text: `${indent(level, branches)}${last ? TREE.right : TREE.branch}${dep}`, unit: dep });
      if (o.all > 0 || unitTypeOf(dep) === 'target') enter(dep, level + 1, (branches << 1) | (last ? 0 : 1));
    }
  }
  return 0;
}

function indent(level: number, branches: number): string {
  let s = '';
  for (let i = level - 1; i >= 0; i--) s += branches & (1 << i) ? TREE.vertical : TREE.space;
  return s;
}
