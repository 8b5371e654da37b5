// Issue 19 (idle memory): what a loaded unit costs PID 1 must stay a few KiB, as systemd's
// does. Heap readings are noisy (V8 grows, shrinks and compiles as it pleases), so this counts
// instead: the objects, keys and array slots reachable from one LoadedUnit and from no other
// unit (shared tables, the unit source and functions are not the unit's), turned into bytes
// with V8's x64 layout as Node builds it (8-byte fields, no pointer compression). The same unit files always give
// the same count, so the bound cannot be flaky. Before this was guarded, a service unit kept
// the schema's typed config beside the manager's copy and the parse (assignments) in the
// store's cache: ~3 times the objects.

import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnitSource } from '../../src/manager/unit-source.js';
import { UnitStore } from '../../src/units/loader.js';

/** Bytes per loaded service unit the manager may keep (measured: ~4.1 KiB; systemd: a few KiB). */
const BUDGET_BYTES = 5 * 1024;

const UNITS = 50;

/** A unit file as the bench writes it (bench/lib/peers.mjs unitFile()). */
function unitText(i: number): string {
  return `[Unit]\nDescription=bench svc${i}\nStartLimitIntervalSec=0\n\n[Service]\nType=simple\nExecStart=/bin/bash /srv/svc.sh run svc${i} /srv/marks\nTimeoutStopSec=90s\n`;
}

interface Footprint {
  objects: number;
  bytes: number;
}

/** Plain data (object literals, arrays, Maps, Sets, Buffers); anything else is a shared service. */
function isData(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(v) || v instanceof Map || v instanceof Set || v instanceof Uint8Array;
}

/** Every data object reachable from root, with its estimated size (V8 x64, 8-byte fields). */
function reach(root: object): Map<object, number> {
  const seen = new Map<object, number>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v) || !isData(v)) continue;
    if (v instanceof Uint8Array) {
      seen.set(v, 96 + v.byteLength);
    } else if (Array.isArray(v)) {
      seen.set(v, 32 + (v.length > 0 ? 16 + 8 * v.length : 0));
      stack.push(...(v as unknown[]));
    } else if (v instanceof Map || v instanceof Set) {
      // OrderedHashMap: header, a bucket per 2 entries, 3 (Map) or 2 (Set) slots per entry, room for 4 at least.
      const slots = Math.max(4, v.size) * (v instanceof Map ? 3.5 : 2.5);
      seen.set(v, 32 + 16 + 24 + 8 * slots);
      for (const e of v instanceof Map ? [...v.keys(), ...v.values()] : v) stack.push(e);
    } else {
      const keys = Object.keys(v);
      seen.set(v, 24 + 8 * keys.length);
      for (const k of keys) stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return seen;
}

/** What `unit` holds that no other unit holds. */
function ownFootprint(unit: object, others: object[]): Footprint {
  const shared = new Set<object>();
  for (const o of others) if (o !== unit) for (const obj of reach(o).keys()) shared.add(obj);
  let objects = 0;
  let bytes = 0;
  for (const [obj, size] of reach(unit)) {
    if (shared.has(obj)) continue;
    objects++;
    bytes += size;
  }
  return { objects, bytes };
}

function unitDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'unitd-footprint-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < UNITS; i++) writeFileSync(join(dir, `svc${i}.service`), unitText(i));
  return dir;
}

t.test('a loaded service unit keeps a few KiB of its own, and no parse', async (t) => {
  const dir = unitDir(t);
  const source = new StoreUnitSource({ unitPathEnv: dir });
  const loaded = Array.from({ length: UNITS }, (_, i) => source.load(`svc${i}.service`));
  t.ok(loaded.every((u) => u.loadState === 'loaded'), 'every unit loaded');
  const sample = [loaded[1]!, loaded[UNITS - 2]!];
  for (const unit of sample) {
    const f = ownFootprint(unit, [loaded[0]!, loaded[UNITS - 1]!]);
    t.comment(`${unit.id}: ${f.objects} objects of its own, ~${(f.bytes / 1024).toFixed(1)} KiB`);
    t.ok(f.bytes <= BUDGET_BYTES, `${unit.id} keeps ${f.bytes} bytes of its own (budget ${BUDGET_BYTES})`);
  }
  t.equal(loaded[1]!.schema, undefined, "a service keeps no copy of the schema's typed config");

  // The store's cache of parses goes once the stretch of loads is over.
  const store = (source as unknown as { store: UnitStore }).store;
  t.ok(store instanceof UnitStore, 'the source reads through a UnitStore');
  const cached = (): number => (store as unknown as { cache: Map<string, unknown> }).cache.size;
  t.ok(cached() > 0, 'parses are shared while the loads of one stretch run');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(cached(), 0, 'no parse (assignments, typed config) stays after the stretch of loads');
});

t.test('the footprint counter sees what a unit really keeps', async (t) => {
  // The guard must be able to fail: a unit that kept its parse and config would exceed it.
  const dir = unitDir(t);
  const store = new UnitStore({ unitPathEnv: dir });
  const raw = Array.from({ length: 4 }, (_, i) => store.load(`svc${i}.service`));
  const withParse = { ...new StoreUnitSource({ unitPathEnv: dir }).load('svc1.service'), schema: raw[1]!.config, parse: raw[1]!.assignments };
  const f = ownFootprint(withParse, [raw[0]!, raw[3]!]);
  t.comment(`with the parse and the schema's config: ~${(f.bytes / 1024).toFixed(1)} KiB`);
  t.ok(f.bytes > BUDGET_BYTES, `a unit holding its parse and config (${f.bytes} bytes) is over the budget`);
});
