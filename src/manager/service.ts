// The service state machine (systemd.service(5); the shape of systemd's service.c).
// Every transition goes through setState(), every wait is a timer or an event
// (child exit, notify message, file appearing), nothing polls on a fixed beat.

import { DEFAULT_TASKS_MAX, resolveTasksMax } from '../units/values/tasks-max.js';
import { randomId128 } from './random-id.js';
import { rmSync } from 'node:fs';
import type { ExecCommandState, KillWhom, Properties } from '../control/api.js';
import { prepareDirectories, removeRuntimeDirectories } from '../exec/directories.js';
import { revertServiceTerminal } from '../exec/terminal.js';
import { SIGNAL, signalToString as signalName } from '../units/values/signal.js';
import { ReceivedFds, type ChildExit, type Credentials, type PendingSpawn } from '../exec/native.js';
import { defaultExecSettings, type ExecCommand, type ExecSettings } from '../exec/settings.js';
import { DeadlineTimer, NO_TIMESTAMP, now, REAL_CLOCK, type DualTimestamp } from './clock.js';
import { PRIORITY, type CapturedStream } from './log-sink.js';
import { parseNotifyMessage, type NotifyFields } from './notify.js';
import { mainPidRefusal, notifyRefusal, NotifySocket, RefusalLog } from './service-notify.js';
import { FdStore, joinPassedFds } from './fd-store.js';
import { afterKillPhase, EmptinessCheck, enterKillPhase, killedLine, killPhaseDone, killRemainder, killSignalFor, signalPid, type KillPhase } from './kill.js';
import { commandExitError, commandLine, commandStartError, describeExit, EXIT_CODE_NUMBER, launchCommand, type CommandOutcome, type SpawnExtras, type StartedCommand } from './run-command.js';
import { ExecSetupError } from '../exec/spawn-spec.js';
import { cgroupOomKills } from './memory.js';
import { readProcess, REAL_PROCESS_TABLE, unitPids, type ProcessTable } from './process-tracker.js';
import { restartDelayUSec, resultOfExit, shallRestart } from './restart-policy.js';
import { defaultServiceSettings, EXEC_LISTS, execListProperty, type ExecListName, type ServiceSettings } from './service-settings.js';
import { SERVICE_STATE_TABLE, type ActiveState, type ServiceResult, type ServiceState } from './states.js';
import { execContextProperties } from './exec-properties.js';
import { pidFilePath, readPidNumber, watchPidFile, type PidFileWatch } from './pid-file.js';
import { unitBaseProperties, execStateProperty, noTimestamps, timestampProperties, type UnitTimestamps } from './properties.js';
import { deadlineOf, keptFd, rearm, restoreStreams, snapshotStreams } from './serialize-fields.js';
import { DEFAULT_STATUS_MESSAGES, type UnitSnapshot, type LoadedUnit, type StartTrigger, type StateChange, type StatusMessageFormats, type UnitHost, type UnitInstance, type UnitType } from './unit-type.js';

/** 208/STDIN: no socket to take as stdin (exec_context's EXIT_STDIN). */
const EXIT_STATUS_STDIN = 208;
/** systemd's IDLE_TIMEOUT_USEC: a Type=idle service waits at most this long for the job queue. */
const IDLE_TIMEOUT_MS = 5000;

type Role = 'main' | 'control';

interface ExecRecord {
  startTimestamp: number;
  stopTimestamp: number;
  pid: number;
  code: number;
  status: number;
}

const emptyRecord = (): ExecRecord => ({ startTimestamp: 0, stopTimestamp: 0, pid: 0, code: 0, status: 0 });

/** Kill states and the signal each sends. */
type KillState = 'stop-sigterm' | 'stop-sigkill' | 'stop-watchdog' | 'final-sigterm' | 'final-sigkill' | 'final-watchdog';

/** The signal of each kill state (service_enter_signal()). */
const KILL_PHASE: Record<KillState, KillPhase> = {
  'stop-sigterm': 'term',
  'final-sigterm': 'term',
  'stop-watchdog': 'watchdog',
  'final-watchdog': 'watchdog',
  'stop-sigkill': 'kill',
  'final-sigkill': 'kill',
};

const START_STATES: readonly ServiceState[] = ['condition', 'start-pre', 'start', 'start-post'];
const STOP_STATES: readonly ServiceState[] = [
  'stop', 'stop-watchdog', 'stop-sigterm', 'stop-sigkill', 'stop-post', 'final-watchdog', 'final-sigterm', 'final-sigkill',
];

let syntheticPid = 0;

export class Service implements UnitInstance {
  private config: LoadedUnit;
  private s: ServiceSettings;
  private exec: ExecSettings;
  private state: ServiceState = 'dead';
  private result: ServiceResult = 'success';
  /** TRIGGER_UNIT=, TRIGGER_PATH= ... of the trigger unit that first started this one. */
  private activationEnvironment: string[] = [];

  /** Result= of the last run (trigger units follow a start-limit-hit). */
  lastResult(): ServiceResult {
    return this.result;
  }
  private reloadResult: ServiceResult = 'success';

  private mainPid = 0;
  private mainPidKnown = false;
  private controlPid = 0;
  private controlList: ExecListName | undefined;
  private controlIndex = 0;
  /** Index of the running ExecStart= (oneshot runs them in turn). */
  private mainIndex = 0;
  private mainExit: ChildExit | undefined;
  private execMain = { pid: 0, start: NO_TIMESTAMP, exit: NO_TIMESTAMP, code: 0, status: 0 };
  private records: Record<ExecListName, ExecRecord[]>;

  private invocationId = '';
  private nRestarts = 0;
  private startAttempts: number[] = [];
  private forbidRestart = false;
  private restarting = false;
  private statusText = '';
  private statusErrno = 0;
  private notifyState: 'unknown' | 'ready' | 'reloading' | 'stopping' = 'unknown';
  private readonly notify: NotifySocket;
  private readonly refusals = new RefusalLog(() => (this.host.clock ?? REAL_CLOCK).monotonicUSec(), (message, priority) => this.log(message, priority));
  private readonly fdStore = new FdStore((message, priority) => this.log(message, priority));
  /** Cancels the wait for BusName= (Type=dbus). */
  private busNameWatch: (() => void) | undefined;
  private directoryEnv: Record<string, string> = {};
  private readonly sessions = new Set<number>();
  /** Synthetic pid of a failed spawn → the pid of its child, which failed and was reaped at once. */
  private readonly failedChildPids = new Map<number, number>();
  private readonly streams = new Map<number, CapturedStream>();
  private notAppliedLogged = false;
  /** Bumped when a Type=idle wait ends, so a late wake-up of an older wait does nothing. */
  private idleToken = 0;
  private idleWait: { cancel(): void } | undefined;

  private readonly timer: DeadlineTimer;
  private readonly watchdogTimer: DeadlineTimer;
  private readonly emptiness: EmptinessCheck;
  private watchdogUSec = 0;
  /** The OOM kill counter when this run started or last took an OOM kill as its own. */
  private oomSeen: number | undefined;
  /** The pid whose exit is being handled (see childExited). */
  private reaping = 0;
  private watchdogTimestamp: DualTimestamp = NO_TIMESTAMP;
  private pidFileWatcher: PidFileWatch | undefined;
  private readonly ts: UnitTimestamps = noTimestamps();

  constructor(
    config: LoadedUnit,
    private readonly host: UnitHost,
  ) {
    this.config = config;
    this.s = config.service ?? defaultServiceSettings();
    this.exec = config.exec ?? defaultExecSettings();
    this.records = this.freshRecords();
    this.notify = new NotifySocket(host, config.id, (data, from, fds) => this.notifyMessage(data, from, fds));
    this.timer = new DeadlineTimer(() => this.host.deliver(this.id, 'timer', () => this.onTimeout()), host.clock);
    this.watchdogTimer = new DeadlineTimer(() => this.host.deliver(this.id, 'timer', () => this.onWatchdogTimeout()), host.clock);
    this.emptiness = new EmptinessCheck(() => this.host.deliver(this.id, 'timer', () => this.checkKillProgress()), host.clock);
  }

  private get id(): string {
    return this.config.id;
  }

  private get procs(): ProcessTable {
    return this.host.processTable ?? REAL_PROCESS_TABLE;
  }

  get activeState(): ActiveState {
    return SERVICE_STATE_TABLE[this.state];
  }

  get subState(): string {
    return this.state;
  }

  reload(config: LoadedUnit): void {
    this.config = config;
    this.s = config.service ?? defaultServiceSettings();
    this.exec = config.exec ?? defaultExecSettings();
    this.records = this.freshRecords();
    this.notAppliedLogged = false;
  }

  private freshRecords(): Record<ExecListName, ExecRecord[]> {
    const r = {} as Record<ExecListName, ExecRecord[]>;
    for (const list of EXEC_LISTS) r[list] = this.s[list].map(emptyRecord);
    return r;
  }

  // ---------------------------------------------------------------- state

  private setState(next: ServiceState, change: Partial<StateChange> = {}): void {
    const prev = this.state;
    const from = SERVICE_STATE_TABLE[prev];
    const to = SERVICE_STATE_TABLE[next];
    this.state = next;
    if (next !== 'start') this.endIdleWait(); // stopped while Type=idle waited: no late ExecStart=
    if (!STOP_STATES.includes(next) && !START_STATES.includes(next) && next !== 'reload') {
      this.emptiness.disarm();
    }
    if (next !== 'running' && next !== 'reload') this.watchdogTimer.disarm();
    if (from !== to) {
      const t = now();
      this.ts.stateChange = t;
      const inactive = (a: ActiveState) => a === 'inactive' || a === 'failed';
      const active = (a: ActiveState) => a === 'active' || a === 'reloading';
      if (inactive(from) && !inactive(to)) this.ts.inactiveExit = t;
      if (!active(from) && active(to)) this.ts.activeEnter = t;
      if (active(from) && !active(to)) this.ts.activeExit = t;
      if (!inactive(from) && inactive(to)) this.ts.inactiveEnter = t;
    }
    if (prev !== next) this.host.log.debug({ unit: this.id, from: prev, to: next }, 'state change');
    if (from !== to || change.reloadResult || change.skipped || change.willAutoRestart) {
      this.host.stateChanged(this.id, { from, to, ...change });
    }
  }

  private log(message: string, priority: number = PRIORITY.info): void {
    this.host.unitMessage(this.id, message, priority);
  }

  private addResult(f: ServiceResult): void {
    if (this.result === 'success') this.result = f;
  }

  // ---------------------------------------------------------------- public operations

  start(trigger: StartTrigger = { kind: 'job' }): 'started' | 'already' | 'wait' | 'failed' {
    const automatic = trigger.kind === 'auto-restart';
    // The start half of an automatic restart ends the RestartSec= wait.
    if (automatic && this.state === 'auto-restart') {
      this.timer.disarm();
      this.state = 'dead';
    }
    if (STOP_STATES.includes(this.state)) return 'wait';
    if (START_STATES.includes(this.state)) return 'already';
    if (this.state === 'running' || this.state === 'exited' || this.state === 'reload') return 'already';
    if (this.config.loadState !== 'loaded') return 'failed';
    if (!this.testStartLimit()) {
      this.log('Start request repeated too quickly.', PRIORITY.warning);
      this.host.startLimitHit?.(this.id);
      this.enterDead('start-limit-hit', false);
      return 'failed';
    }
    if (!automatic) this.nRestarts = 0;
    // systemd 252 keeps the first activation's details while the unit stays loaded.
    if (trigger.kind === 'unit' && trigger.environment && this.activationEnvironment.length === 0) this.activationEnvironment = trigger.environment;
    this.result = 'success';
    this.reloadResult = 'success';
    this.oomSeen = this.oomKills();
    this.mainExit = undefined;
    this.mainPid = 0;
    this.mainPidKnown = false;
    this.forbidRestart = false;
    this.notifyState = 'unknown';
    this.statusText = '';
    this.statusErrno = 0;
    this.watchdogUSec = this.s.watchdogUSec;
    this.invocationId = randomId128();
    this.records = this.freshRecords();
    this.execMain = { pid: 0, start: NO_TIMESTAMP, exit: NO_TIMESTAMP, code: 0, status: 0 };
    this.logNotApplied();
    if (this.s.type === 'dbus' && !this.host.busNames?.available()) this.log('Type=dbus without a system bus: treating it as Type=simple.', PRIORITY.warning);
    try {
      this.openNotifySocket();
      this.directoryEnv = prepareDirectories(this.exec);
    } catch (err) {
      this.log(`Failed to run 'start' task: ${(err as Error).message}`, PRIORITY.err);
      this.enterDead('resources', false);
      return 'failed';
    }
    this.enterCondition();
    return 'started';
  }

  stop(options: { forRestart?: boolean } = {}): 'stopping' | 'already' | 'wait' {
    this.forbidRestart = true;
    this.restarting = options.forRestart ?? false;
    switch (this.state) {
      case 'dead':
      case 'failed':
        return 'already';
      case 'auto-restart':
        this.timer.disarm();
        this.setState('dead');
        return 'already';
      case 'condition':
      case 'start-pre':
      case 'start':
      case 'start-post':
      case 'reload':
        // Abort what is running and go down the stop path (service_stop()).
        this.enterSignal('stop-sigterm', 'success');
        return 'stopping';
      case 'running':
      case 'exited':
        this.enterStop('success');
        return 'stopping';
      default:
        return 'stopping'; // already on the way down
    }
  }

  canReload(): boolean {
    return this.s.execReload.length > 0 || this.s.type === 'notify-reload';
  }

  reloadUnit(): 'reloading' | 'wait' | 'failed' {
    if (this.state === 'reload' || START_STATES.includes(this.state)) return 'wait';
    if (this.state !== 'running' && this.state !== 'exited') return 'failed';
    this.reloadResult = 'success';
    if (this.s.type === 'notify-reload' && this.s.execReload.length === 0) {
      if (!this.mainPid) return 'failed';
      this.notifyState = 'unknown';
      signalPid(this.mainPid, this.s.reloadSignal);
      this.setState('reload');
      this.timer.armIn(this.s.timeoutStartUSec);
      return 'reloading';
    }
    this.setState('reload');
    this.timer.armIn(this.s.timeoutStartUSec);
    this.runControlList('execReload', 0);
    return 'reloading';
  }

  kill(whom: KillWhom, signal: number): number {
    const targets = new Set<number>();
    const main = this.signalablePid(this.mainPid);
    const control = this.signalablePid(this.controlPid);
    if ((whom === 'main' || whom === 'all') && main > 0) targets.add(main);
    if ((whom === 'control' || whom === 'all') && control > 0) targets.add(control);
    if (whom === 'all') for (const p of this.processes()) targets.add(p);
    let n = 0;
    for (const pid of targets) {
      const before = readProcess(pid)?.comm;
      if (signalPid(pid, signal)) {
        n++;
        const role = pid === main ? 'main' : pid === control ? 'control' : '';
        const comm = before ?? '?';
        this.log(`Sent signal SIG${signalName(signal)} to ${role ? role + ' process' : 'process'} ${pid} (${comm}) on client request.`);
      }
    }
    return n;
  }

  resetFailed(): void {
    if (this.state === 'failed') this.setState('dead');
    this.result = 'success';
    this.reloadResult = 'success';
    this.nRestarts = 0;
    this.startAttempts = [];
  }

  pids(): number[] {
    const set = new Set(this.processes());
    if (this.mainPid > 0 && this.procs.isAlive(this.mainPid)) set.add(this.mainPid);
    if (this.controlPid > 0 && this.procs.isAlive(this.controlPid)) set.add(this.controlPid);
    return [...set].sort((a, b) => a - b);
  }

  /** service_may_gc() plus the cgroup check of unit_may_gc(): never while a process of it is around. */
  mayCollect(): boolean {
    if (this.fdStore.size > 0) return false;
    // A command being spawned (placeholder pid) is a process of the unit: its spawned() must find it loaded.
    if (this.spawning.size > 0) return false;
    if ((this.mainPid > 0 && this.procs.isAlive(this.mainPid)) || (this.controlPid > 0 && this.procs.isAlive(this.controlPid))) return false;
    // Never started in this daemon's life: nothing can carry its marker or sessions. With
    // KillMode=control-group or mixed the stop killed what was left; the other modes leave
    // processes behind, found only by a scan of /proc (the cgroup check unitd has no cgroup for).
    if (this.invocationId === '' || this.s.killMode === 'control-group' || this.s.killMode === 'mixed') return true;
    return this.processes().length === 0;
  }

  dispose(): void {
    this.disposed = true;
    this.forbidRestart = true;
    // What a spawn in flight holds goes too: notify fds kept for it, and its child (which may
    // block before exec forever, holding a spawner thread); spawned() then releases the rest.
    for (const m of this.heldNotify) new ReceivedFds(m.fds).closeRest();
    this.heldNotify = [];
    for (const pending of this.spawning.keys()) {
      const pid = this.signalablePid(pending);
      if (pid > 0) signalPid(pid, SIGNAL.KILL);
    }
    this.timer.disarm();
    this.watchdogTimer.disarm();
    this.emptiness.disarm();
    this.notify.close();
    this.unwatchBusName();
    this.fdStore.release();
    this.pidFileWatcher?.close();
  }

  // ---------------------------------------------------------------- start path

  private testStartLimit(): boolean {
    const interval = this.config.unit.startLimitIntervalUSec;
    const burst = this.config.unit.startLimitBurst;
    if (!(interval > 0) || !(burst > 0)) return true;
    const t = (this.host.clock ?? REAL_CLOCK).monotonicUSec();
    this.startAttempts = this.startAttempts.filter((a) => t - a < interval);
    if (this.startAttempts.length >= burst) return false;
    this.startAttempts.push(t);
    return true;
  }

  private enterCondition(): void {
    if (this.s.execCondition.length > 0) {
      this.ts.condition = now();
      this.setState('condition');
      this.timer.armIn(this.s.timeoutStartUSec);
      this.runControlList('execCondition', 0);
    } else {
      this.enterStartPre();
    }
  }

  private enterStartPre(): void {
    if (this.s.execStartPre.length > 0) {
      this.setState('start-pre');
      this.timer.armIn(this.s.timeoutStartUSec);
      this.runControlList('execStartPre', 0);
    } else {
      this.enterStart();
    }
  }

  private enterStart(): void {
    this.killLeftovers();
    if (this.s.execStart.length === 0) {
      // oneshot without ExecStart= (RemainAfterExit=yes units that only have ExecStop=)
      this.enterStartPost();
      return;
    }
    this.setState('start');
    this.timer.armIn(this.s.timeoutStartUSec); // oneshot: infinity unless set (unit-config.ts)
    if (this.s.type === 'idle' && this.host.whenOtherJobsDone) this.waitForIdle(this.host.whenOtherJobsDone(this.id));
    else this.spawnStart();
  }

  /**
   * Type=idle: systemd's child waits on the idle pipe until the job queue is empty, at most
   * IDLE_TIMEOUT_USEC (5 s); the vfork spawn cannot wait, so the service waits in `start`.
   */
  private waitForIdle(wait: { done: Promise<void>; cancel(): void }): void {
    const token = ++this.idleToken;
    const go = (): void => {
      this.endIdleWait();
      this.host.deliver(this.id, 'timer', () => {
        if (token !== this.idleToken || this.state !== 'start') return; // stopped meanwhile
        this.idleToken++;
        this.spawnStart();
      });
    };
    const timeout = setTimeout(go, IDLE_TIMEOUT_MS);
    this.idleWait = { cancel: () => (clearTimeout(timeout), wait.cancel()) };
    void wait.done.then(go);
  }

  private endIdleWait(): void {
    this.idleWait?.cancel();
    this.idleWait = undefined;
  }

  private spawnStart(): void {
    this.mainIndex = 0;
    const cmd = this.s.execStart[0];
    if (this.s.type === 'forking') {
      // The ExecStart process of a forking service is a control process; the main PID comes later.
      this.controlList = 'execStart';
      this.controlIndex = 0;
      this.controlPid = this.spawnCommand(cmd, 'control', 'execStart', 0);
      return;
    }
    const pid = this.spawnCommand(cmd, 'main', 'execStart', 0);
    this.setMainPid(pid);
    switch (this.s.type) {
      case 'dbus':
        if (!this.watchBusName()) this.enterStartPost();
        return;
      case 'simple':
      case 'idle':
        this.enterStartPost();
        return;
      case 'exec':
        // spawn() returns after execve() succeeded; a failed exec arrives as a synthetic exit.
        if (pid > 0) this.enterStartPost();
        return;
      default:
        return; // oneshot waits for the exit, notify for READY=1
    }
  }

  /** Type=dbus with a system bus: the start goes on once BusName= has an owner (service_bus_name_owner_change()). */
  private watchBusName(): boolean {
    const bus = this.host.busNames;
    if (this.s.busName === undefined || !bus?.available()) return false;
    this.busNameWatch = bus.watch(this.s.busName, () => this.host.deliver(this.id, 'bus-name', () => this.busNameOwned()));
    return true;
  }

  private busNameOwned(): void {
    this.busNameWatch = undefined;
    if (this.state === 'start') this.enterStartPost();
  }

  private unwatchBusName(): void {
    this.busNameWatch?.();
    this.busNameWatch = undefined;
  }

  private enterStartPost(): void {
    this.unwatchBusName();
    if (this.s.execStartPost.length > 0) {
      this.setState('start-post');
      this.timer.armIn(this.s.timeoutStartUSec);
      this.runControlList('execStartPost', 0);
    } else {
      this.enterRunning('success');
    }
  }

  /**
   * service_good(): the main PID is alive; or, when no main PID is known (forking
   * without PIDFile=) or ExitType=cgroup, any process is left in the unit.
   */
  private isGood(): boolean {
    if (this.mainPidKnown) {
      if (this.mainPid !== 0 && this.mainAlive()) return true;
      if (this.s.exitType === 'main') return false;
    }
    return this.processes().length > 0;
  }

  private enterRunning(f: ServiceResult): void {
    this.addResult(f);
    this.controlPid = 0;
    this.controlList = undefined;
    if (this.result !== 'success') {
      this.enterSignal('stop-sigterm', this.result);
    } else if (this.isGood()) {
      if (this.notifyState === 'stopping') {
        this.enterStopByNotify();
        return;
      }
      this.setState('running');
      this.timer.armIn(this.s.type === 'oneshot' ? 0 : this.s.runtimeMaxUSec);
      this.armWatchdog();
    } else if (this.s.remainAfterExit) {
      this.timer.disarm();
      this.setState('exited');
    } else {
      this.enterStop('success');
    }
  }

  // ---------------------------------------------------------------- stop path

  private enterStop(f: ServiceResult): void {
    this.addResult(f);
    this.watchdogTimer.disarm();
    if (this.s.execStop.length > 0) {
      this.setState('stop');
      this.timer.armIn(this.s.timeoutStopUSec);
      this.runControlList('execStop', 0);
    } else {
      this.enterSignal('stop-sigterm', 'success');
    }
  }

  private enterStopByNotify(): void {
    this.setState('stop-sigterm');
    this.timer.armIn(this.s.timeoutStopUSec);
    this.emptiness.schedule();
  }

  private enterStopPost(f: ServiceResult): void {
    this.addResult(f);
    this.controlPid = 0;
    if (this.s.execStopPost.length > 0) {
      this.setState('stop-post');
      this.timer.armIn(this.s.timeoutStopUSec);
      this.runControlList('execStopPost', 0);
    } else {
      this.enterSignal('final-sigterm', 'success');
    }
  }

  /** service_enter_signal(): send the state's signal per KillMode= and wait, or move on if nothing is left. */
  private enterSignal(state: KillState, f: ServiceResult): void {
    this.addResult(f);
    this.watchdogTimer.disarm();
    this.pidFileWatcher?.close();
    this.pidFileWatcher = undefined;
    const phase = KILL_PHASE[state];
    const step = enterKillPhase(this.s, phase, this.restarting, this.killTargets(), (pid, comm) => {
      if (this.state !== 'dead') this.log(killedLine(pid, comm));
    });
    if (step === 'wait') {
      this.setState(state);
      this.timer.armIn(phase === 'watchdog' ? this.s.timeoutAbortUSec : this.s.timeoutStopUSec);
      this.emptiness.restart();
    } else if (step === 'escalate') {
      this.enterSignal(state.startsWith('stop-') ? 'stop-sigkill' : 'final-sigkill', 'success');
    } else {
      this.afterKillState(state);
    }
  }

  /** The kill state is over (everything gone, or it timed out): next step of the sequence. */
  private afterKillState(state: KillState): void {
    this.emptiness.disarm();
    if (state.startsWith('stop-')) this.enterStopPost('success');
    else this.enterDead('success', true);
  }

  /** Who a sweep reaches: main and control while alive, the rest of the unit on demand (KillMode=, kill.ts). */
  private killTargets() {
    return {
      // A command still being spawned is reached through its child's pid once the kernel made
      // it: systemd signals the forked child at once, even while it waits before execve().
      main: this.mainPid < 0 ? this.signalablePid(this.mainPid) : this.mainPid > 0 && this.mainPid !== this.reaping && this.mainAlive() ? this.mainPid : 0,
      control: this.controlPid < 0 ? this.signalablePid(this.controlPid) : this.controlPid > 0 && this.controlPid !== this.reaping && this.controlAlive() ? this.controlPid : 0,
      others: () => this.processes().filter((pid) => pid !== this.reaping),
      alive: this.mainAlive() || this.controlAlive(),
    };
  }

  /** Processes of a control command left behind are killed before the next command runs (start-pre, condition). */
  private killLeftovers(): void {
    if (this.mainPid > 0 || this.sessions.size === 0) return;
    // Only what this activation's commands left (their sessions); older leftovers (KillMode=process) are not ours to kill here.
    for (const pid of this.procs.scan().filter((p) => this.sessions.has(p.sid)).map((p) => p.pid)) {
      if (pid === this.controlPid) continue;
      if (signalPid(pid, SIGNAL.KILL)) this.log(`Found left-over process ${pid} in control group while starting unit. Killing.`, PRIORITY.warning);
    }
  }

  /** Waiting in a kill state: are the main, control and (per KillMode) all other processes gone? */
  private checkKillProgress(): void {
    const state = this.state;
    if (!(STOP_STATES.includes(state) && state !== 'stop' && state !== 'stop-post')) return;
    const remainder = (left: number[]) => killRemainder(left, (pid, comm) => this.log(killedLine(pid, comm)));
    if (!killPhaseDone(this.s.killMode, KILL_PHASE[state as KillState], this.mainAlive() || this.controlAlive(), () => this.processes(), remainder)) {
      this.emptiness.schedule();
      return;
    }
    this.timer.disarm();
    this.afterKillState(state as KillState);
  }

  private enterDead(f: ServiceResult, allowRestart: boolean): void {
    this.addResult(f);
    this.unwatchBusName();
    this.timer.disarm();
    this.watchdogTimer.disarm();
    this.emptiness.disarm();
    this.pidFileWatcher?.close();
    this.pidFileWatcher = undefined;
    this.controlPid = 0;
    this.controlList = undefined;
    if (this.result !== 'success' && this.result !== 'exec-condition') {
      this.log(`Failed with result '${this.result}'.`, PRIORITY.warning);
    } else if (this.result === 'success' && this.state !== 'dead') {
      this.log('Deactivated successfully.');
    }
    const restart = allowRestart && !this.forbidRestart && shallRestart(this.s, this.result, this.mainExit);
    this.notify.close();
    removeRuntimeDirectories(this.exec, restart || this.restarting);
    const ttyWarning = revertServiceTerminal(this.exec);
    if (ttyWarning !== undefined) this.log(ttyWarning, PRIORITY.warning);
    // The store outlives restarts only (unit_release_resources() skips a unit about to restart).
    if (!restart && !this.restarting) this.fdStore.release();
    if (this.s.pidFile) rmSync(this.pidFilePath(), { force: true });
    this.sessions.clear();
    this.mainPid = 0;
    this.restarting = false;
    if (restart) {
      this.setState('auto-restart', { willAutoRestart: true });
      const delay = restartDelayUSec(this.s, this.nRestarts + 1);
      this.timer.armIn(delay > 0 ? delay : 1);
    } else if (this.result === 'success' || this.result === 'exec-condition') {
      this.setState('dead', { skipped: this.result === 'exec-condition' });
    } else {
      this.setState('failed');
    }
  }

  /** RestartSec= elapsed: count the restart and hand it to the job engine (systemd enqueues a restart job). */
  private enterRestart(): void {
    this.nRestarts++;
    this.log(`Scheduled restart job, restart counter is at ${this.nRestarts}.`);
    this.host.requestAutoRestart(this.id);
  }

  /** The error boundary failed this unit: kill what still runs (then `failed`), or fail at once. */
  fail(result: 'resources'): void {
    this.forbidRestart = true;
    this.pidFileWatcher?.close();
    this.pidFileWatcher = undefined;
    if (this.state === 'dead' || this.state === 'failed') {
      this.addResult(result);
      this.setState('failed');
    } else if (this.processes().length > 0) {
      this.enterSignal('final-sigterm', result);
    } else {
      this.enterDead(result, false);
    }
  }

  willAutoRestart(): boolean {
    return this.state === 'auto-restart';
  }

  finalKillSignal(): number {
    return this.s.finalKillSignal;
  }

  // ---------------------------------------------------------------- timeouts

  private onTimeout(): void {
    switch (this.state) {
      case 'condition':
      case 'start-pre':
      case 'start':
      case 'start-post':
        this.log(`${this.state} operation timed out. ${failureModeVerb(this.s.timeoutStartFailureMode)}.`, PRIORITY.warning);
        this.enterSignal(failureModeState(this.s.timeoutStartFailureMode, 'stop'), 'timeout');
        return;
      case 'running':
        this.log('Service reached runtime time limit. Stopping.', PRIORITY.warning);
        this.enterStop('timeout');
        return;
      case 'reload':
        this.log('Reload operation timed out. Killing reload process.', PRIORITY.warning);
        if (this.controlPid) signalPid(this.controlPid, SIGNAL.KILL);
        this.controlPid = 0;
        this.reloadResult = 'timeout';
        this.finishReload();
        return;
      case 'stop':
        this.log(`State 'stop' timed out. ${failureModeVerb(this.s.timeoutStopFailureMode)}.`, PRIORITY.warning);
        this.enterSignal(failureModeState(this.s.timeoutStopFailureMode, 'stop'), 'timeout');
        return;
      case 'stop-sigterm':
      case 'stop-watchdog':
        if (afterKillPhase(KILL_PHASE[this.state], this.s) === 'escalate') {
          this.log(`State '${this.state}' timed out. Killing.`, PRIORITY.warning);
          this.enterSignal('stop-sigkill', 'timeout');
        } else {
          this.log(`State '${this.state}' timed out. Skipping SIGKILL.`, PRIORITY.warning);
          this.enterStopPost('timeout');
        }
        return;
      case 'stop-sigkill':
        this.log('Processes still around after SIGKILL. Ignoring.', PRIORITY.warning);
        this.enterStopPost('timeout');
        return;
      case 'stop-post':
        this.log(`State 'stop-post' timed out. ${failureModeVerb(this.s.timeoutStopFailureMode)}.`, PRIORITY.warning);
        this.enterSignal(failureModeState(this.s.timeoutStopFailureMode, 'final'), 'timeout');
        return;
      case 'final-sigterm':
      case 'final-watchdog':
        if (afterKillPhase(KILL_PHASE[this.state], this.s) === 'escalate') {
          this.log(`State '${this.state}' timed out. Killing.`, PRIORITY.warning);
          this.enterSignal('final-sigkill', 'timeout');
        } else {
          this.enterDead('timeout', true);
        }
        return;
      case 'final-sigkill':
        this.log('Processes still around after final SIGKILL. Entering failed mode.', PRIORITY.warning);
        this.enterDead('timeout', true);
        return;
      case 'auto-restart':
        this.enterRestart();
        return;
      default:
        return;
    }
  }

  private armWatchdog(): void {
    if (this.watchdogUSec > 0 && Number.isFinite(this.watchdogUSec)) {
      this.watchdogTimestamp = now();
      this.watchdogTimer.armIn(this.watchdogUSec);
    }
  }

  private onWatchdogTimeout(): void {
    if (this.state !== 'running' && this.state !== 'reload') return;
    const limit = this.watchdogUSec >= 1_000_000 ? `${this.watchdogUSec / 1_000_000}s` : `${Math.round(this.watchdogUSec / 1000)}ms`;
    this.log(`Watchdog timeout (limit ${limit})!`, PRIORITY.err);
    this.enterSignal('stop-watchdog', 'watchdog');
  }

  // ---------------------------------------------------------------- processes

  /**
   * No process of the unit was left at a scan earlier in this synchronous step: nothing of it
   * is there to fork, so the final-sigterm sweep that follows a stop-sigterm one at once needs
   * no second /proc scan (two per stopped unit before). A spawn or the next microtask ends it.
   */
  private knownEmpty = false;

  private processes(): number[] {
    if (this.knownEmpty) return [];
    const pids = unitPids(this.id, this.sessions, this.procs.scan()).map((p) => p.pid);
    if (pids.length === 0) {
      this.knownEmpty = true;
      queueMicrotask(() => (this.knownEmpty = false));
    }
    return pids;
  }

  /** Until we reaped it (a zombie counts as alive here), the exit event with its status is still to come. */
  private mainAlive(): boolean {
    return this.mainPid < 0 || (this.mainPid > 0 && (this.mainPid === this.reaping || this.procs.notYetReaped(this.mainPid)));
  }

  private controlAlive(): boolean {
    return this.controlPid < 0 || (this.controlPid > 0 && (this.controlPid === this.reaping || this.procs.notYetReaped(this.controlPid)));
  }

  /** The pid `status` shows: a failed spawn's real (reaped) child for its synthetic pid, else the pid itself. */
  private shownPid(pid: number): number {
    return pid > 0 ? pid : (this.failedChildPids.get(pid) ?? 0);
  }

  private setMainPid(pid: number): void {
    if (this.mainPid > 0 && this.mainPid !== pid) this.host.unwatchPid(this.mainPid, this.id);
    this.mainPid = pid;
    this.mainPidKnown = pid !== 0;
    if (pid > 0) {
      this.host.watchPid(pid, this.id);
      this.execMain = { pid, start: now(), exit: NO_TIMESTAMP, code: 0, status: 0 };
    }
  }

  /**
   * Spawn one command. Setup and exec failures come back as a synthetic exit, as a forked child's 2xx exit would.
   * The clone happens off the event loop: until the child has exec'd, the command stands as a
   * synthetic (negative) pid, alive to the state machine; spawned() then puts the real pid in its place.
   */
  private spawnCommand(cmd: ExecCommand, role: Role, list: ExecListName, index: number): number {
    const isStop = list === 'execStop' || list === 'execStopPost';
    const exitInfo = this.mainExit;
    this.knownEmpty = false;
    const pending = --syntheticPid;
    let pid = pending;
    const rec = this.records[list][index];
    try {
      const launched = launchCommand(
        this.host,
        {
          unit: this.id,
          invocationId: this.invocationId,
          settings: this.exec,
          managerEnvironment: [...this.host.managerEnvironment(), ...this.activationEnvironment],
          processEnvironment: this.host.processEnvironment,
          notifySocket: this.notify.path,
          mainPid: role === 'control' && list !== 'execStart' && this.mainAlive() ? this.mainPid : undefined,
          pidFile: this.s.pidFile ? this.pidFilePath() : undefined,
          watchdogUSec: role === 'main' ? this.watchdogUSec : undefined,
          serviceResult: isStop ? this.result : undefined,
          exitCode: isStop && exitInfo ? exitInfo.code : undefined,
          exitStatus: isStop && exitInfo ? (exitInfo.code === 'exited' ? String(exitInfo.status) : signalName(exitInfo.status)) : undefined,
          directories: this.directoryEnv,
          ignoreUser: cmd.privileges !== 'normal',
          startCommand: list === 'execStart',
        },
        execListProperty(list),
        cmd,
        (role === 'main' ? this.socketExtras() : undefined) ?? {},
        (outcome) => this.host.deliver(this.id, 'spawned', () => this.spawned(pending, role, rec, outcome)),
      );
      if ('started' in launched) pid = this.commandStarted(launched.started, role, list);
      else this.spawning.set(pending, launched.inFlight);
    } catch (err) {
      this.spawnFailed(pending, err, cmd, list);
    }
    if (rec) Object.assign(rec, { startTimestamp: now().realtime, stopTimestamp: 0, pid: this.shownPid(pid), code: 0, status: 0 });
    return pid;
  }

  private commandStarted(started: StartedCommand, role: Role, list: ExecListName): number {
    const pid = started.pid;
    this.sessions.add(pid);
    if (started.stdout) this.streams.set(pid * 2, started.stdout);
    if (started.stderr) this.streams.set(pid * 2 + 1, started.stderr);
    this.host.log.debug({ unit: this.id, pid, role, list, command: started.commandLine }, 'spawned');
    return pid;
  }

  /** A command that failed before it ran: systemd's message, and a synthetic exit of `pending` with the 2xx status. */
  private spawnFailed(pending: number, err: unknown, cmd: ExecCommand, list: ExecListName): void {
    const failure = commandStartError(err, execListProperty(list), commandLine(cmd));
    this.log(failure.message, PRIORITY.err);
    const synthetic: ChildExit = { pid: pending, code: 'exited', status: failure.status };
    // The failed child never reaches the reaper's listeners; the state machine keeps the synthetic pid, status shows the real one.
    if (failure.pid > 0) this.failedChildPids.set(pending, failure.pid);
    setImmediate(() => this.childExited(synthetic));
  }

  /** Synthetic pid → its spawn in flight, whose child's pid `systemctl show` reports as systemd would after fork(). */
  private readonly spawning = new Map<number, PendingSpawn>();

  /** MainPID=/ControlPID=: a command being spawned shows its child's pid once the kernel has made it. */
  private shownLivePid(pid: number): number {
    return pid > 0 ? pid : (this.spawning.get(pid)?.pid() ?? 0);
  }

  /** The pid a signal for `pid` reaches: itself, or a spawn in flight's child while it lives (never a reaped, held one). */
  private signalablePid(pid: number): number {
    if (pid >= 0) return pid;
    const child = this.shownLivePid(pid);
    return child > 0 && this.procs.isAlive(child) ? child : 0;
  }

  private disposed = false;

  /** Notify messages from a pid not known yet, kept while a spawn of this unit is in flight. */
  private heldNotify: { data: Buffer; from: Credentials; fds: number[] }[] = [];

  /** The spawner thread is done with the command that stood as `pending`. */
  private spawned(pending: number, role: Role, rec: ExecRecord | undefined, outcome: CommandOutcome): void {
    this.spawning.delete(pending);
    if (this.disposed) {
      // Nothing is left to run it for (a failed child is reaped already); its output pipes close at its end.
      if ('started' in outcome) {
        this.host.unwatchPid(outcome.started.pid, this.id);
        signalPid(outcome.started.pid, SIGNAL.KILL);
      }
      return;
    }
    const list = role === 'main' ? 'execStart' : (this.controlList ?? 'execStart');
    if ('error' in outcome) {
      const failure = outcome.error;
      this.log(failure.message, PRIORITY.err);
      if (failure.pid > 0) {
        this.failedChildPids.set(pending, failure.pid);
        if (rec && rec.pid === 0) rec.pid = failure.pid;
      }
      this.childExited({ pid: pending, code: 'exited', status: failure.status });
    } else {
      const pid = this.commandStarted(outcome.started, role, list);
      if (rec && rec.pid === 0) rec.pid = pid;
      if (this.mainPid === pending || this.controlPid === pending) {
        if (this.mainPid === pending) this.setMainPid(pid);
        else this.controlPid = pid;
        // Type=exec is started once execve() succeeded.
        if (this.mainPid === pid && this.s.type === 'exec' && this.state === 'start') this.enterStartPost();
        // A kill state entered before the kernel made it could not signal it: what the state sent, it gets now
        // (a child signalled before exec is dead, its exit held: not alive, not signalled again).
        const phase = (KILL_PHASE as Partial<Record<ServiceState, KillPhase>>)[this.state];
        if (phase && this.procs.isAlive(pid)) signalPid(pid, killSignalFor(phase, this.s, this.restarting));
      } else {
        // The unit left the state this command was for while it was being started: nothing
        // waits for it any more, and a stop that ran meanwhile could not signal it.
        signalPid(pid, SIGNAL.KILL);
      }
    }
    this.replayHeldNotify();
  }

  private replayHeldNotify(): void {
    if (this.spawning.size > 0 || this.heldNotify.length === 0) return;
    const held = this.heldNotify;
    this.heldNotify = [];
    for (const m of held) {
      const fds = m.fds.length > 0 ? new ReceivedFds(m.fds) : undefined;
      this.notifyMessage(m.data, m.from, fds);
      fds?.closeRest(); // what the message did not store (refused, or no FDSTORE=1), as the socket's handler would
    }
  }

  /**
   * The fds socket units pass to the main process: at fd 3+ with LISTEN_FDS, or, for
   * StandardInput=/StandardOutput=socket, the one connection as stdin/stdout without LISTEN_FDS.
   */
  private socketExtras(): SpawnExtras | undefined {
    const passed = this.host.socketFds?.(this.id);
    const e = this.exec;
    const onSocket = e.standardInput.kind === 'socket' || e.standardOutput.kind === 'socket';
    if (!onSocket) {
      const all = joinPassedFds(passed, this.fdStore.passed());
      return all && { extraFds: all.fds, listenFdNames: all.names };
    }
    if (!passed) throw new ExecSetupError(EXIT_STATUS_STDIN, 'Got no socket.');
    if (passed.fds.length > 1) throw new ExecSetupError(EXIT_STATUS_STDIN, 'Got more than one socket.');
    // `inherit` output duplicates stdin: the connection, when stdin is the socket.
    const stdinSocket = e.standardInput.kind === 'socket';
    const stdout = e.standardOutput.kind === 'socket' || (stdinSocket && e.standardOutput.kind === 'inherit');
    const stderr = e.standardError.kind === 'socket' || (e.standardError.kind === 'inherit' && stdout);
    return { socketFd: { fd: passed.fds[0], stdout, stderr } };
  }

  private runControlList(list: ExecListName, index: number): void {
    const cmd = this.s[list][index];
    this.controlList = list;
    this.controlIndex = index;
    this.controlPid = this.spawnCommand(cmd, 'control', list, index);
  }

  // ---------------------------------------------------------------- child exits

  childExited(exit: ChildExit): void {
    // systemd dispatches notify messages before SIGCHLD: FDSTOREREMOVE= or STOPPING=1 sent
    // by a control process just before it exited must apply while it is still the control PID.
    this.notify.drain();
    if (exit.code === 'killed' && exit.status === SIGNAL.KILL) {
      // systemd sees the OOM event while the child is still a zombie: until its exit is
      // handled below, it counts as alive (waited for) but is never signalled (reaped already).
      this.reaping = exit.pid;
      try {
        this.checkOom();
      } finally {
        this.reaping = 0;
      }
    }
    if (exit.pid > 0) {
      this.host.unwatchPid(exit.pid, this.id);
      for (const key of [exit.pid * 2, exit.pid * 2 + 1]) {
        const stream = this.streams.get(key);
        if (stream) {
          this.streams.delete(key);
          // What the process wrote last goes to the log before its exit does. The pipe
          // itself stays open until EOF: a daemon's children may still hold and write it
          // (closing early would SIGPIPE them).
          stream.drain();
        }
      }
    }
    if (exit.pid === this.mainPid) this.mainExited(exit);
    else if (exit.pid === this.controlPid) this.controlExited(exit);
    else this.orphanExited();
    this.failedChildPids.delete(exit.pid);
  }

  private oomKills(): number | undefined {
    return this.host.oomKills ? this.host.oomKills() : cgroupOomKills();
  }

  /**
   * unit_check_oom(): systemd reads the unit's own cgroup's memory.events. unitd has no cgroup
   * per unit, so a process of this unit dying of SIGKILL while the container's OOM kill counter
   * rose since the run started (or since the last kill it claimed) counts as OOM-killed: a kill of
   * a grandchild that unitd does not reap goes unseen, and two units hit in the same moment
   * could each claim the one kill.
   */
  private checkOom(): void {
    const kills = this.oomKills();
    if (kills === undefined || this.oomSeen === undefined || kills <= this.oomSeen) {
      if (kills !== undefined) this.oomSeen = kills;
      return;
    }
    this.oomSeen = kills;
    this.log('A process of this unit has been killed by the OOM killer.', PRIORITY.notice);
    this.oomEvent();
  }

  /** service_notify_cgroup_oom_event(): OOMPolicy= decides what the kill does to the unit. */
  private oomEvent(): void {
    const policy = this.s.oomPolicy;
    if (policy === 'continue') return;
    switch (this.state) {
      case 'condition':
      case 'start-pre':
      case 'start':
      case 'start-post':
      case 'stop':
        if (policy === 'stop') this.enterSignal('stop-sigterm', 'oom-kill');
        else this.enterSignal('final-sigkill', 'oom-kill');
        return;
      case 'exited':
      case 'running':
        if (policy === 'stop') this.enterStop('oom-kill');
        else this.enterSignal('stop-sigkill', 'oom-kill');
        return;
      case 'stop-watchdog':
      case 'stop-sigterm':
        this.enterSignal('stop-sigkill', 'oom-kill');
        return;
      case 'stop-sigkill':
      case 'final-sigkill':
        this.addResult('oom-kill');
        return;
      case 'stop-post':
      case 'final-sigterm':
        this.enterSignal('final-sigkill', 'oom-kill');
        return;
      default:
    }
  }

  orphanExited(): void {
    if (STOP_STATES.includes(this.state)) this.checkKillProgress();
    else if (this.state === 'running' && this.mainPid === 0 && (!this.mainPidKnown || this.s.exitType === 'cgroup') && this.processes().length === 0) {
      this.enterRunning('success'); // the unit became empty: "cgroup empty" without cgroups
    }
  }

  private mainExited(exit: ChildExit): void {
    this.mainExit = exit;
    this.execMain = { ...this.execMain, pid: this.shownPid(exit.pid), exit: now(), code: EXIT_CODE_NUMBER[exit.code], status: exit.status };
    const rec = this.records.execStart[this.mainIndex];
    if (rec) Object.assign(rec, { stopTimestamp: now().realtime, code: EXIT_CODE_NUMBER[exit.code], status: exit.status });
    const cmd = this.s.execStart[this.mainIndex];
    let f = resultOfExit(exit, this.s.type, this.s.successExitStatus);
    if (f !== 'success' && cmd?.ignoreFailure) f = 'success';
    const line = `Main process exited, ${describeExit(exit)}`;
    this.log(line, f === 'success' ? PRIORITY.info : PRIORITY.notice);
    this.mainPid = 0;

    if (this.s.type === 'oneshot' && f === 'success' && this.state === 'start' && this.mainIndex + 1 < this.s.execStart.length) {
      this.mainIndex++;
      this.setMainPid(this.spawnCommand(this.s.execStart[this.mainIndex], 'main', 'execStart', this.mainIndex));
      return;
    }
    switch (this.state) {
      case 'start-post':
      case 'reload':
      case 'stop':
        // The running operation finishes first; remember the outcome.
        this.addResult(f);
        return;
      case 'start':
        if (this.s.type === 'oneshot') {
          if (f === 'success') this.enterStartPost();
          else this.enterSignal('stop-sigterm', f);
        } else if (this.s.type === 'notify' || this.s.type === 'notify-reload') {
          this.log(f === 'success' ? 'Main process exited before READY=1 was sent.' : line, PRIORITY.warning);
          this.enterSignal('stop-sigterm', f === 'success' ? 'protocol' : f);
        } else {
          // exec (exec failed) or a forking service whose main PID died during start
          this.enterSignal('stop-sigterm', f === 'success' ? 'protocol' : f);
        }
        return;
      case 'running':
        this.enterRunning(f);
        return;
      case 'stop-sigterm':
      case 'stop-sigkill':
      case 'stop-watchdog':
        this.addResult(f === 'success' ? 'success' : this.forbidRestart && exit.code === 'killed' ? 'success' : f);
        this.checkKillProgress();
        return;
      case 'final-sigterm':
      case 'final-sigkill':
      case 'final-watchdog':
        this.checkKillProgress();
        return;
      default:
        this.addResult(f);
    }
  }

  private controlExited(exit: ChildExit): void {
    const list = this.controlList;
    const index = this.controlIndex;
    this.controlPid = 0;
    if (!list) return;
    const rec = this.records[list][index];
    if (rec) Object.assign(rec, { stopTimestamp: now().realtime, code: EXIT_CODE_NUMBER[exit.code], status: exit.status });
    const cmd = this.s[list][index];
    let f = resultOfExit(exit, list === 'execStart' ? this.s.type : 'oneshot', this.s.successExitStatus);
    if (f !== 'success') {
      this.log(`Control process exited, ${commandExitError(exit, execListProperty(list), commandLine(cmd)).message}`, PRIORITY.notice);
      if (cmd?.ignoreFailure) f = 'success';
    }
    // ExecCondition=: 1..254 means "skip", 255 or a signal means failure (systemd.service(5)).
    if (list === 'execCondition' && f !== 'success') {
      if (exit.code === 'exited' && exit.status > 0 && exit.status < 255) {
        this.log("Skipped due to 'exec-condition'.");
        this.enterStopPost('exec-condition');
        return;
      }
    }
    const next = index + 1;
    if (f === 'success' && next < this.s[list].length && this.stateRuns(list)) {
      if (list === 'execStartPre' || list === 'execCondition') this.killLeftovers();
      this.runControlList(list, next);
      return;
    }
    this.controlList = undefined;
    switch (this.state) {
      case 'condition':
        if (f === 'success') this.enterStartPre();
        else this.enterSignal('stop-sigterm', f);
        return;
      case 'start-pre':
        if (f === 'success') this.enterStart();
        else this.enterSignal('stop-sigterm', f);
        return;
      case 'start':
        // forking: the parent exited; now find the daemon
        if (f === 'success') this.forkingParentExited();
        else this.enterSignal('stop-sigterm', f);
        return;
      case 'start-post':
        if (f === 'success') this.enterRunning('success');
        else this.enterStop(f);
        return;
      case 'reload':
        if (f !== 'success') this.reloadResult = f;
        this.finishReload();
        return;
      case 'stop':
        this.enterSignal('stop-sigterm', f);
        return;
      case 'stop-post':
        this.enterSignal('final-sigterm', f);
        return;
      case 'stop-sigterm':
      case 'stop-sigkill':
      case 'stop-watchdog':
      case 'final-sigterm':
      case 'final-sigkill':
      case 'final-watchdog':
        this.checkKillProgress();
        return;
      default:
        return;
    }
  }

  private stateRuns(list: ExecListName): boolean {
    const owner: Record<ExecListName, ServiceState> = {
      execCondition: 'condition',
      execStartPre: 'start-pre',
      execStart: 'start',
      execStartPost: 'start-post',
      execReload: 'reload',
      execStop: 'stop',
      execStopPost: 'stop-post',
    };
    return owner[list] === this.state;
  }

  private finishReload(): void {
    this.timer.disarm();
    const ok = this.reloadResult === 'success';
    if (!ok) this.log('Reload failed.', PRIORITY.warning);
    this.notifyState = 'ready';
    if (this.mainPidKnown && !this.mainAlive() && this.mainExit) {
      // the main process died while reloading
      this.enterRunning(resultOfExit(this.mainExit, this.s.type, this.s.successExitStatus));
    } else {
      this.setState(this.isGood() ? 'running' : this.s.remainAfterExit ? 'exited' : 'running', { reloadResult: ok ? 'done' : 'failed' });
      if (this.state === 'running') {
        this.timer.armIn(this.s.runtimeMaxUSec);
        this.armWatchdog();
      }
    }
  }

  // ---------------------------------------------------------------- forking

  private pidFilePath(): string {
    return pidFilePath(this.s.pidFile ?? '');
  }

  private forkingParentExited(): void {
    if (this.s.pidFile) {
      if (this.readPidFile()) {
        this.enterStartPost();
        return;
      }
      if (this.processes().length === 0) {
        this.log(`Can't open PID file ${this.pidFilePath()} (yet?) after start: No such file or directory`, PRIORITY.warning);
        this.enterSignal('stop-sigterm', 'protocol');
        return;
      }
      // Processes are left: wait for the file until the start timeout (an fs watch, not a poll).
      this.watchPidFile();
      return;
    }
    if (this.s.guessMainPID) {
      const procs = this.processes();
      if (procs.length === 1) this.setMainPid(procs[0]);
    }
    this.enterStartPost();
  }

  private readPidFile(): boolean {
    const pid = readPidNumber(this.pidFilePath());
    if (pid === undefined) return false;
    if (!this.procs.isAlive(pid)) {
      this.log(`PID ${pid} read from file ${this.pidFilePath()} does not exist or is a zombie.`, PRIORITY.warning);
      return false;
    }
    this.setMainPid(pid);
    return true;
  }

  private watchPidFile(): void {
    const path = this.pidFilePath();
    this.pidFileWatcher?.close();
    try {
      this.pidFileWatcher = watchPidFile(path, () =>
        this.host.deliver(this.id, 'pid-file', () => {
          if (this.state !== 'start') return;
          if (this.readPidFile()) {
            this.pidFileWatcher?.close();
            this.pidFileWatcher = undefined;
            this.enterStartPost();
          }
        }),
      );
    } catch (err) {
      this.log(`Failed to watch PID file ${path}: ${(err as Error).message}`, PRIORITY.warning);
    }
    // The file may have appeared between the read and the watch.
    if (this.readPidFile()) {
      this.pidFileWatcher?.close();
      this.pidFileWatcher = undefined;
      this.enterStartPost();
    }
  }

  // ---------------------------------------------------------------- notify

  private openNotifySocket(): void {
    if (this.s.notifyAccess !== 'none') this.notify.open();
  }

  /** Who the service answers for: the roots of notify attribution. */
  private own() {
    return { main: this.mainPid, control: this.controlPid, sessions: this.sessions };
  }

  notifyMessage(data: Buffer, from: Credentials, fds?: ReceivedFds): void {
    const refusal = notifyRefusal(this.s.notifyAccess, from.pid, this.own());
    if (refusal !== undefined && this.spawning.size > 0) {
      // Likely from the child whose pid the spawner thread has not handed over yet (it may
      // have exec'd and written READY=1 first): decided once that pid is known.
      this.heldNotify.push({ data, from, fds: fds?.take() ?? [] });
      return;
    }
    if (refusal !== undefined) {
      this.refusals.refused(refusal);
      return;
    }
    const m = parseNotifyMessage(data);
    if (fds) this.storeFds(m, fds);
    this.applyNotify(m, from);
  }

  /** FDSTOREREMOVE=1 and FDSTORE=1; fds sent for anything else are closed with a warning. */
  private storeFds(m: NotifyFields, fds: ReceivedFds): void {
    if (m.fdStoreRemove) this.fdStore.remove(m.fdName);
    if (m.fdStore && fds.count > 0) this.fdStore.add(fds.take(), m.fdName, this.s.fileDescriptorStoreMax, m.fdPoll);
    if (fds.count > 0) this.log('Got extra auxiliary fds with notification message, closing them.', PRIORITY.warning);
  }

  /** MAINPID= (service-notify.ts): logs why a pid is refused. */
  private acceptMainPid(pid: number, from: Credentials): boolean {
    const refusal = mainPidRefusal(pid, from, this.own(), (p) => this.procs.isAlive(p));
    if (refusal) this.log(refusal.message, refusal.priority);
    return refusal === undefined;
  }

  private applyNotify(m: NotifyFields, from: Credentials): void {
    if (m.mainPid !== undefined && (!this.mainPidKnown || m.mainPid !== this.mainPid) && (START_STATES.includes(this.state) || this.state === 'running' || this.state === 'reload')) {
      if (this.acceptMainPid(m.mainPid, from)) this.setMainPid(m.mainPid);
    }
    if (m.status !== undefined) this.statusText = m.status;
    if (m.errno !== undefined) this.statusErrno = m.errno;
    if (m.watchdogUSec !== undefined) {
      this.watchdogUSec = m.watchdogUSec;
      if (this.state === 'running') this.armWatchdog();
    }
    if (m.extendTimeoutUSec !== undefined && this.timer.armed && (START_STATES.includes(this.state) || STOP_STATES.includes(this.state) || this.state === 'running')) {
      this.timer.extend(m.extendTimeoutUSec);
    }
    if (m.watchdog === 'trigger') {
      this.onWatchdogTimeout();
      return;
    }
    if (m.watchdog === 'ping' && this.state === 'running') this.armWatchdog();

    if (m.stopping) {
      this.notifyState = 'stopping';
      if (this.state === 'running') this.enterStopByNotify();
      return;
    }
    if (m.reloading) {
      this.notifyState = 'reloading';
      if (this.state === 'running') {
        this.reloadResult = 'success';
        this.setState('reload');
        this.timer.armIn(this.s.timeoutStartUSec);
      }
    }
    if (m.ready) {
      const wasReloading = this.notifyState === 'reloading' || (this.state === 'reload' && this.s.type === 'notify-reload');
      this.notifyState = 'ready';
      if (this.state === 'start' && (this.s.type === 'notify' || this.s.type === 'notify-reload')) {
        this.enterStartPost();
      } else if (this.state === 'reload' && wasReloading && this.controlPid === 0) {
        this.finishReload();
      }
    }
  }

  // ---------------------------------------------------------------- misc

  private logNotApplied(): void {
    if (this.notAppliedLogged || this.exec.notApplied.length === 0) return;
    this.notAppliedLogged = true;
    this.log(`Settings not applied in a container: ${this.exec.notApplied.join(', ')}.`);
  }

  private execProperty(list: ExecListName): ExecCommandState[] {
    return this.s[list].map((cmd, i) => {
      const rec = this.records[list][i] ?? emptyRecord();
      return { path: cmd.path, argv: cmd.argv, ignoreErrors: cmd.ignoreFailure, ...execStateProperty(rec) };
    });
  }

  // ---------------------------------------------------------------- daemon-reexec (serialize-fields.ts)

  snapshot(keep: (fd: number) => void): UnitSnapshot {
    return this.runState(keep);
  }

  private runState(keep: (fd: number) => void) {
    const notifyFd = this.notify.fd;
    if (notifyFd !== undefined && notifyFd >= 0) keep(notifyFd);
    return {
      state: this.state, result: this.result, reloadResult: this.reloadResult, activationEnvironment: this.activationEnvironment,
      mainPid: this.mainPid, mainPidKnown: this.mainPidKnown, controlPid: this.controlPid, controlList: this.controlList ?? null,
      controlIndex: this.controlIndex, mainIndex: this.mainIndex, mainExit: this.mainExit ?? null, execMain: this.execMain,
      records: this.records, invocationId: this.invocationId, nRestarts: this.nRestarts, startAttempts: this.startAttempts,
      forbidRestart: this.forbidRestart, restarting: this.restarting, statusText: this.statusText, statusErrno: this.statusErrno,
      notifyState: this.notifyState, notifyPath: this.notify.path ?? null, notifyFd: notifyFd ?? null, directoryEnv: this.directoryEnv,
      sessions: [...this.sessions], failedChildPids: [...this.failedChildPids], streams: snapshotStreams(this.streams, keep),
      timer: deadlineOf(this.timer), watchdogTimer: deadlineOf(this.watchdogTimer), watchdogUSec: this.watchdogUSec,
      watchdogTimestamp: this.watchdogTimestamp, watchingPidFile: this.pidFileWatcher !== undefined, ts: this.ts,
      fdStore: this.fdStore.snapshot(keep),
    };
  }

  restore(snap: UnitSnapshot): void {
    const r = snap as unknown as ReturnType<Service['runState']>;
    Object.assign(this, {
      state: r.state, result: r.result, reloadResult: r.reloadResult, activationEnvironment: r.activationEnvironment, mainPid: r.mainPid,
      mainPidKnown: r.mainPidKnown, controlPid: r.controlPid, controlList: r.controlList ?? undefined, controlIndex: r.controlIndex,
      mainIndex: r.mainIndex, mainExit: r.mainExit ?? undefined, execMain: r.execMain, invocationId: r.invocationId, nRestarts: r.nRestarts,
      startAttempts: r.startAttempts, forbidRestart: r.forbidRestart, restarting: r.restarting, statusText: r.statusText,
      statusErrno: r.statusErrno, notifyState: r.notifyState, directoryEnv: r.directoryEnv, watchdogUSec: r.watchdogUSec,
      watchdogTimestamp: r.watchdogTimestamp,
    });
    // Exec records follow the unit file as loaded now; a list that changed length starts afresh.
    for (const list of EXEC_LISTS) if (r.records[list]?.length === this.records[list].length) this.records[list] = r.records[list];
    Object.assign(this.ts, r.ts);
    for (const pid of r.sessions) this.sessions.add(pid);
    for (const [synthetic, real] of r.failedChildPids) this.failedChildPids.set(synthetic, real);
    for (const pid of [this.mainPid, this.controlPid]) if (pid > 0) this.host.watchPid(pid, this.id);
    const notifyFd = keptFd(r.notifyFd);
    if (r.notifyPath !== null && notifyFd !== undefined) {
      this.notify.adopt(r.notifyPath, notifyFd);
    }
    restoreStreams(r.streams, this.host.logSink, this.streams);
    this.fdStore.restore(r.fdStore);
    rearm(this.timer, r.timer);
    rearm(this.watchdogTimer, r.watchdogTimer);
    if (STOP_STATES.includes(this.state)) this.emptiness.schedule();
    if (r.watchingPidFile && this.state === 'start') this.watchPidFile();
  }

  properties(): Properties {
    const s = this.s;
    const p: Properties = {
      ...unitBaseProperties(this.config, this.activeState, this.subState, {
        canReload: this.canReload(),
        invocationId: this.invocationId,
        conditionResult: this.result !== 'exec-condition',
      }),
      ...timestampProperties(this.ts),
      // A service without a unit file has no type (systemd shows Type= empty); bad-setting ones keep theirs.
      Type: this.config.loadState === 'not-found' || this.config.loadState === 'masked' ? '' : s.type,
      ExitType: s.exitType,
      Restart: s.restart,
      RestartUSec: s.restartUSec,
      RestartSteps: s.restartSteps,
      RestartMaxDelayUSec: s.restartMaxDelayUSec,
      RestartUSecNext: restartDelayUSec(s, this.nRestarts + 1),
      NotifyAccess: s.notifyAccess,
      TimeoutStartUSec: s.timeoutStartUSec,
      TimeoutStopUSec: s.timeoutStopUSec,
      TimeoutAbortUSec: s.timeoutAbortUSec,
      TimeoutStartFailureMode: s.timeoutStartFailureMode,
      TimeoutStopFailureMode: s.timeoutStopFailureMode,
      RuntimeMaxUSec: s.runtimeMaxUSec,
      WatchdogUSec: this.watchdogUSec || s.watchdogUSec,
      WatchdogTimestamp: this.watchdogTimestamp.realtime,
      WatchdogTimestampMonotonic: this.watchdogTimestamp.monotonic,
      RemainAfterExit: s.remainAfterExit,
      GuessMainPID: s.guessMainPID,
      PIDFile: s.pidFile ? this.pidFilePath() : '',
      MainPID: this.shownLivePid(this.mainPid),
      ControlPID: this.shownLivePid(this.controlPid),
      StatusText: this.statusText,
      StatusErrno: this.statusErrno,
      Result: this.result,
      ReloadResult: this.reloadResult,
      NRestarts: this.nRestarts,
      ExecMainStartTimestamp: this.execMain.start.realtime,
      ExecMainStartTimestampMonotonic: this.execMain.start.monotonic,
      ExecMainExitTimestamp: this.execMain.exit.realtime,
      ExecMainExitTimestampMonotonic: this.execMain.exit.monotonic,
      ExecMainPID: this.execMain.pid,
      ExecMainCode: this.execMain.code,
      ExecMainStatus: this.execMain.status,
      TasksMax: resolveTasksMax(s.tasksMax ?? DEFAULT_TASKS_MAX),
      ...execContextProperties(this.exec),
      KillMode: s.killMode,
      KillSignal: s.killSignal,
      RestartKillSignal: s.restartKillSignal,
      FinalKillSignal: s.finalKillSignal,
      WatchdogSignal: s.watchdogSignal,
      ReloadSignal: s.reloadSignal,
      SendSIGHUP: s.sendSIGHUP,
      SendSIGKILL: s.sendSIGKILL,
      SuccessExitStatus: { statuses: [...s.successExitStatus.statuses], signals: [...s.successExitStatus.signals] },
      RestartPreventExitStatus: { statuses: [...s.restartPreventExitStatus.statuses], signals: [...s.restartPreventExitStatus.signals] },
      RestartForceExitStatus: { statuses: [...s.restartForceExitStatus.statuses], signals: [...s.restartForceExitStatus.signals] },
      NotifySocket: this.notify.path ?? '',
      BusName: s.busName ?? '',
      FileDescriptorStoreMax: s.fileDescriptorStoreMax,
      NFileDescriptorStore: this.fdStore.size,
    };
    for (const list of EXEC_LISTS) p[execListProperty(list)] = this.execProperty(list);
    return p;
  }
}

/** TimeoutStartFailureMode=/TimeoutStopFailureMode= (systemd.service(5)): the kill state a timeout enters. */
function failureModeState(mode: ServiceSettings['timeoutStartFailureMode'], phase: 'stop' | 'final'): KillState {
  const suffix = mode === 'abort' ? 'watchdog' : mode === 'kill' ? 'sigkill' : 'sigterm';
  return `${phase}-${suffix}` as KillState;
}

function failureModeVerb(mode: ServiceSettings['timeoutStartFailureMode']): string {
  return mode === 'abort' ? 'Aborting' : mode === 'kill' ? 'Killing' : 'Terminating';
}

/** service_finished_job(): a oneshot's start job is "Finished", RemainAfterExit= or not. */
const ONESHOT_STATUS_MESSAGES: StatusMessageFormats = {
  ...DEFAULT_STATUS_MESSAGES,
  finished: { ...DEFAULT_STATUS_MESSAGES.finished, start: { ...DEFAULT_STATUS_MESSAGES.finished.start, done: 'Finished %s.' } },
};

export const serviceType: UnitType = {
  suffix: 'service',
  create: (config, host) => new Service(config, host),
  canFreeze: true,
  statusMessages: (config) => (config.service?.type === 'oneshot' ? ONESHOT_STATUS_MESSAGES : DEFAULT_STATUS_MESSAGES),
};

