// isolate and its shorthands, list-timers/list-sockets with no such units (as
// systemd 252 prints them), import-environment, and list-units fitted to a terminal.

import t from 'tap';

import type { JobOutcome, JobRequest } from '../../src/control/api.js';
import { formatListUnits } from '../../src/cli/format/list-units.js';
import * as more from '../../src/cli/verbs/more-verbs.js';
import { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions, type RuntimeVerbContext } from '../../src/cli/verbs/runtime-context.js';
import { FakeManager } from '../control/fake-manager.js';

class Recorder extends FakeManager {
  override async enqueueJob(request: JobRequest): Promise<JobOutcome> {
    this.calls.push(`enqueueJob ${request.type} ${request.unit} ${request.mode}`);
    return { id: 1, unit: request.unit, type: request.type, result: 'done' };
  }
  override async setEnvironment(assignments: string[], unset: string[]): Promise<void> {
    this.calls.push(`setEnvironment ${assignments.join(' ')} / ${unset.join(' ')}`);
  }
}

function context(fake: FakeManager, options: Partial<RuntimeOptions> = {}) {
  const io = { out: '', err: '' };
  const ctx: RuntimeVerbContext = {
    options: { ...DEFAULT_RUNTIME_OPTIONS, ...options },
    out: (s) => (io.out += s),
    err: (s) => (io.err += s),
    isTTY: false,
    connect: async () => Object.assign(fake, { close: () => undefined }),
    comm: () => undefined,
    hostname: 'host',
    nowUsec: () => 0,
    booted: () => true,
  };
  return { ctx, io };
}

t.test('isolate sends a start job in isolate mode; a bare name becomes a target', async (t) => {
  const fake = new Recorder();
  const { ctx } = context(fake);
  t.equal(await more.isolate(ctx, ['multi-user']), 0);
  t.equal(await more.isolateSpecial('rescue.target')(ctx, []), 0);
  t.same(fake.calls, ['enqueueJob start multi-user.target isolate', 'enqueueJob start rescue.target isolate']);
});

t.test('list-timers and list-sockets with no such units', async (t) => {
  const { ctx, io } = context(new Recorder());
  t.equal(await more.listTimers(ctx, []), 0);
  t.equal(io.out, 'NEXT LEFT LAST PASSED UNIT ACTIVATES\n\n0 timers listed.\nPass --all to see loaded but inactive timers, too.\n');
  const all = context(new Recorder(), { all: true });
  await (await import('../../src/cli/verbs/list-sockets.js')).listSockets(all.ctx, []);
  t.equal(all.io.out, 'LISTEN UNIT ACTIVATES\n\n0 sockets listed.\n');
  const bare = context(new Recorder(), { legend: false });
  await more.listTimers(bare.ctx, []);
  t.equal(bare.io.out, '');
});

t.test('import-environment copies named variables from the client', async (t) => {
  process.env.UNITD_IMPORT_TEST = 'x y';
  const fake = new Recorder();
  const { ctx, io } = context(fake);
  t.equal(await more.importEnvironment(ctx, ['UNITD_IMPORT_TEST', 'UNITD_NOT_SET']), 0);
  t.same(fake.calls, ['setEnvironment UNITD_IMPORT_TEST=x y / ']);
  t.equal(await more.importEnvironment(ctx, ['1bad']), 1);
  t.match(io.err, 'Not a valid environment variable name: 1bad');
});

t.test('list-units on a terminal ellipsizes to the width; on a pipe it does not', async (t) => {
  const units = [{ id: 'web.service', description: 'A rather long description that will not fit', loadState: 'loaded', activeState: 'active', subState: 'running' }];
  const base = { all: false, stateFilter: false, legend: false, plain: false, color: false };
  t.equal(formatListUnits(units, base)[0], '  web.service loaded active running A rather long description that will not fit');
  const narrow = formatListUnits(units, { ...base, columns: 50 })[0];
  t.equal([...narrow].length, 50);
  t.ok(narrow.endsWith('…'));
});

t.test('status without units: the system overview', async (t) => {
  class Overview extends Recorder {
    override async managerProperties() {
      return { Version: '252 (unitd 0.1.0)', NNames: 12, NJobs: 0, NFailedUnits: 1 };
    }
  }
  const { status } = await import('../../src/cli/verbs/status.js');
  const { ctx, io } = context(new Overview());
  t.equal(await status(ctx, []), 0);
  t.equal(
    io.out,
    '● host\n    State: running\n    Units: 12 loaded (incl. loaded aliases)\n     Jobs: 0 queued\n   Failed: 1 units\n  systemd: 252 (unitd 0.1.0)\n   CGroup: /\n',
  );
});
