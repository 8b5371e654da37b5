// .path units (systemd.path(5), src/core/path.c): inotify watches on files and directories
// that start another unit through a normal job when their condition holds. Level conditions
// (PathExists=, PathExistsGlob=, DirectoryNotEmpty=) trigger while true; edges (PathChanged=,
// PathModified=) on events. Watches are removed while the triggered unit runs and set up again
// when it stops, so changes made meanwhile are lost, as under systemd.

import { mkdirSync } from 'node:fs';
import { randomId128 } from './random-id.js';
import type { Properties } from '../control/api.js';
import { Inotify, type InotifyEvent } from '../native/inotify.js';
import { defaultPathSection } from '../units/schema/defaults.js';
import type { PathSection } from '../units/schema/types.js';
import { PRIORITY } from './log-sink.js';
import { SpecCheck, SpecWatch } from './path-watch.js';
import { noTimestamps, recordTransition, timestampProperties, unitBaseProperties, type UnitTimestamps } from './properties.js';
import { RateLimit } from './rate-limit.js';
import { isDown, type ActiveState } from './states.js';
import type { UnitSnapshot, LoadedUnit, TriggeredUnitStatus, UnitHost, UnitInstance, UnitType } from './unit-type.js';
import { ProcesslessUnit } from './processless-unit.js';

/** path_state_translation_table. */
const PATH_STATE_TABLE = { dead: 'inactive', waiting: 'active', running: 'active', failed: 'failed' } as const satisfies Record<string, ActiveState>;
type PathState = keyof typeof PATH_STATE_TABLE;

/** path_result_to_string(). */
export const PATH_RESULTS = ['success', 'resources', 'start-limit-hit', 'unit-start-limit-hit', 'trigger-limit-hit'] as const;
type PathResult = (typeof PATH_RESULTS)[number];

export class PathUnit extends ProcesslessUnit implements UnitInstance {
  private state: PathState = 'dead';
  private result: PathResult = 'success';
  private invocationId = '';
  private section: PathSection;
  private checks: SpecCheck[] = [];
  private watches: SpecWatch[] = [];
  private inotify: Inotify | undefined;
  private triggerLimit: RateLimit;
  private startLimit: RateLimit;
  private readonly ts: UnitTimestamps = noTimestamps();

  constructor(
    private config: LoadedUnit,
    private readonly host: UnitHost,
  ) {
    super();
    this.section = config.schema?.path ?? defaultPathSection();
    this.triggerLimit = new RateLimit(this.section.triggerLimitIntervalUSec, this.section.triggerLimitBurst);
    this.startLimit = new RateLimit(config.unit.startLimitIntervalUSec, config.unit.startLimitBurst);
    this.checks = this.section.paths.map((spec) => new SpecCheck(spec));
  }

  get activeState(): ActiveState {
    return PATH_STATE_TABLE[this.state];
  }

  get subState(): string {
    return this.state;
  }

  /** The unit started on a trigger: Unit=, else the service of the same name. */
  private get triggered(): string | undefined {
    return this.config.unit.triggers[0];
  }

  lastResult(): string {
    return this.result;
  }

  private setState(next: PathState): void {
    const from = this.activeState;
    const old = this.state;
    this.state = next;
    if (next !== 'waiting' && next !== 'running') this.unwatch();
    if (old === next) return;
    const to = this.activeState;
    recordTransition(this.ts, from, to);
    if (from !== to) this.host.stateChanged(this.config.id, { from, to });
  }

  reload(config: LoadedUnit): void {
    this.config = config;
    this.section = config.schema?.path ?? defaultPathSection();
    this.triggerLimit = new RateLimit(this.section.triggerLimitIntervalUSec, this.section.triggerLimitBurst);
    this.checks = this.section.paths.map((spec) => new SpecCheck(spec));
    // path_coldplug()/after a reload: a watching unit re-evaluates as at start.
    if (this.state === 'waiting' || this.state === 'running') this.enterWaiting(true, false);
  }

  snapshot(): UnitSnapshot {
    return { state: this.state, result: this.result, invocationId: this.invocationId, ts: this.ts };
  }

  /** The watches are set up again; what changed while no program watched is seen by the first check. */
  restore(snap: UnitSnapshot): void {
    this.state = snap.state as PathState;
    this.result = snap.result as PathResult;
    this.invocationId = String(snap.invocationId);
    Object.assign(this.ts, snap.ts);
    if (this.state === 'waiting') this.enterWaiting(false, false);
    else if (this.state === 'running') this.watch();
  }

  start(): 'started' | 'already' | 'failed' {
    if (this.state === 'waiting' || this.state === 'running') return 'already';
    if (this.config.loadState !== 'loaded') return 'failed';
    const triggered = this.triggered === undefined ? undefined : this.host.unitStatus(this.triggered);
    if (!triggered || triggered.loadState !== 'loaded') {
      this.message(`Refusing to start, unit ${triggered?.id ?? 'n/a'} to trigger not loaded.`, PRIORITY.err);
      return 'failed';
    }
    if (!this.startLimit.below()) {
      this.message('Start request repeated too quickly.', PRIORITY.warning);
      this.host.startLimitHit?.(this.config.id); // StartLimitAction=, as for services (manager.ts)
      this.enterDead('start-limit-hit');
      return 'failed';
    }
    this.invocationId = randomId128();
    this.makeDirectories();
    this.result = 'success';
    this.enterWaiting(true, false);
    return 'started';
  }

  stop(): 'stopping' | 'already' {
    if (this.state === 'dead' || this.state === 'failed') return 'already';
    this.enterDead('success');
    return 'stopping';
  }

  /** path_mkdir(): MakeDirectory= creates what DirectoryNotEmpty=/PathChanged=/PathModified= watch. */
  private makeDirectories(): void {
    if (!this.section.makeDirectory) return;
    for (const spec of this.section.paths) {
      if (spec.kind === 'PathExists' || spec.kind === 'PathExistsGlob') continue;
      try {
        mkdirSync(spec.path, { recursive: true, mode: this.section.directoryMode });
      } catch (err) {
        this.message(`mkdir(${spec.path}) failed: ${(err as Error).message}`, PRIORITY.warning);
      }
    }
  }

  /** path_enter_waiting(): follow a running triggered unit, trigger at once, or watch. */
  private enterWaiting(initial: boolean, fromTriggerNotify: boolean): void {
    const name = this.triggered;
    if (name !== undefined) {
      const other = this.host.unitStatus(name);
      if (!isDown(other.activeState)) {
        this.setState('running');
        return;
      }
    }
    const hit = this.firstGood(initial, fromTriggerNotify);
    if (hit !== undefined) {
      this.enterRunning(hit);
      return;
    }
    try {
      this.watch();
    } catch (err) {
      this.message(`Failed to enter waiting state: ${(err as Error).message}`, PRIORITY.warning);
      this.enterDead('resources');
      return;
    }
    // The path may have appeared or gone while the watches were set up: look once more.
    const late = this.firstGood(false, fromTriggerNotify);
    if (late !== undefined) {
      this.enterRunning(late);
      return;
    }
    this.setState('waiting');
  }

  /** path_check_good(): the first spec in file order that holds, and the path it reports. */
  private firstGood(initial: boolean, fromTriggerNotify: boolean): string | undefined {
    for (const check of this.checks) {
      const hit = check.check(initial, fromTriggerNotify);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** path_enter_running(): start the triggered unit through a normal job and stop watching. */
  private enterRunning(triggerPath: string): void {
    if (!this.triggerLimit.below()) {
      this.message('Trigger limit hit, refusing further activation.', PRIORITY.warning);
      this.enterDead('trigger-limit-hit');
      return;
    }
    const name = this.triggered;
    if (name === undefined) {
      this.message('Unit to trigger vanished.', PRIORITY.err);
      this.enterDead('resources');
      return;
    }
    this.setState('running');
    this.host.triggerStart(name, this.config.id, [`TRIGGER_UNIT=${this.config.id}`, `TRIGGER_PATH=${triggerPath}`]);
  }

  private enterDead(result: PathResult): void {
    if (this.result === 'success') this.result = result;
    if (this.result !== 'success') this.message(`Failed with result '${this.result}'.`, PRIORITY.warning);
    this.setState(this.result === 'success' ? 'dead' : 'failed');
  }

  /** path_trigger_notify(): the triggered unit changed state or lost its job. */
  triggerNotify(other: TriggeredUnitStatus): void {
    if (this.state === 'dead' || this.state === 'failed') return;
    if (other.result === 'start-limit-hit' && isDown(other.activeState)) {
      this.enterDead('unit-start-limit-hit');
      return;
    }
    if (other.hasJob) return;
    if (this.state === 'running' && isDown(other.activeState)) this.enterWaiting(false, true);
    else if (this.state === 'waiting' && !isDown(other.activeState)) this.enterWaiting(false, true);
  }

  private watch(): void {
    this.unwatch();
    this.inotify = new Inotify((batch) => this.host.deliver(this.config.id, 'file-watch', () => this.onEvents(batch)));
    const inotify = this.inotify;
    this.watches = this.section.paths.map((spec) => new SpecWatch(spec, inotify));
    for (const w of this.watches) w.install();
  }

  private unwatch(): void {
    this.inotify?.close();
    this.inotify = undefined;
    this.watches = [];
  }

  /** path_dispatch_io(): an edge on a watched path triggers; anything else re-evaluates and re-watches. */
  private onEvents(batch: InotifyEvent[]): void {
    if (this.state !== 'waiting') return;
    const changed = this.watches.find((w) => w.changedBy(batch));
    if (changed) this.enterRunning(changed.spec.path);
    else this.enterWaiting(false, false);
  }


  resetFailed(): void {
    if (this.state === 'failed') this.setState('dead');
    this.result = 'success';
    this.startLimit.reset();
  }

  dispose(): void {
    this.unwatch();
  }

  private message(text: string, priority: number): void {
    this.host.unitMessage(this.config.id, text, priority);
  }

  properties(): Properties {
    return {
      ...unitBaseProperties(this.config, this.activeState, this.subState, { canReload: false, invocationId: this.invocationId, conditionResult: true }),
      ...timestampProperties(this.ts),
      Unit: this.triggered ?? '',
      // One entry per spec, newest first, as 252's D-Bus property lists them.
      Paths: [...this.section.paths].reverse().map((p) => `${p.path} (${p.kind})`),
      MakeDirectory: this.section.makeDirectory,
      DirectoryMode: this.section.directoryMode,
      TriggerLimitIntervalUSec: this.section.triggerLimitIntervalUSec,
      TriggerLimitBurst: this.section.triggerLimitBurst,
      Result: this.result,
    };
  }
}

export const pathType: UnitType = {
  suffix: 'path',
  create: (config, host) => new PathUnit(config, host),
};
