// An in-process ManagerApi with canned answers, for protocol and CLI tests.

import {
  ManagerError,
  type JobOutcome,
  type JobRequest,
  type ManagerApi,
  type Properties,
  type UnitListEntry,
} from '../../src/control/api.js';

export class FakeManager implements ManagerApi {
  readonly calls: string[] = [];
  units: Record<string, Properties> = {
    'web.service': { Id: 'web.service', LoadState: 'loaded', ActiveState: 'active', SubState: 'running' },
  };
  env: string[] = ['PATH=/usr/bin:/bin'];
  /** Resolves a pending waiting job when the test says so. */
  jobGate: Promise<void> = Promise.resolve();

  async enqueueJob(request: JobRequest): Promise<JobOutcome> {
    this.calls.push(`enqueueJob ${request.type} ${request.unit}`);
    if (!(request.unit in this.units)) {
      throw new ManagerError('org.freedesktop.systemd1.NoSuchUnit', `Unit ${request.unit} not found.`);
    }
    if (request.wait) await this.jobGate;
    return { id: 42, unit: request.unit, type: request.type, result: request.wait ? 'done' : undefined };
  }
  async killUnit(unit: string, whom: string, signal: number): Promise<{ signalled: number }> {
    this.calls.push(`killUnit ${unit} ${whom} ${signal}`);
    return { signalled: 1 };
  }
  async resetFailed(unit?: string): Promise<void> {
    this.calls.push(`resetFailed ${unit ?? '*'}`);
  }
  async unitProperties(units: string[]): Promise<Properties[]> {
    return units.map((u) => this.units[u] ?? { Id: u, LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' });
  }
  async managerProperties(): Promise<Properties> {
    return { Version: '252', SystemState: 'running' };
  }
  async listUnits(): Promise<UnitListEntry[]> {
    return [];
  }
  async listJobs(): Promise<[]> {
    return [];
  }
  async cancelJobs(ids: number[]): Promise<void> {
    this.calls.push(`cancelJobs ${ids.join(',')}`);
  }
  async unitProcesses(): Promise<[]> {
    return [];
  }
  async unitLog(): Promise<[]> {
    return [];
  }
  async daemonReload(): Promise<void> {
    this.calls.push('daemonReload');
  }
  async daemonReexec(): Promise<void> {
    this.calls.push('daemonReexec');
  }
  async shutdown(kind: string, exitCode?: number): Promise<void> {
    this.calls.push(`shutdown ${kind} ${exitCode ?? ''}`);
  }
  async unitFileStates(units: string[]): Promise<{ state: 'enabled' }[]> {
    return units.map(() => ({ state: 'enabled' }));
  }
  async systemState(): Promise<'running'> {
    return 'running';
  }
  async environment(): Promise<string[]> {
    return this.env;
  }
  async setEnvironment(assignments: string[], unset: string[]): Promise<void> {
    this.calls.push(`setEnvironment ${assignments.join(' ')} / ${unset.join(' ')}`);
  }
  async freezeUnit(unit: string, action: 'freeze' | 'thaw'): Promise<void> {
    this.calls.push(`${action} ${unit}`);
  }
  async cleanUnit(unit: string, what: string[]): Promise<void> {
    this.calls.push(`clean ${unit} ${what.join(',')}`);
  }
}
