// The manager's own defaults (systemd-system.conf(5)): /etc/systemd/system.conf
// then system.conf.d/*.conf drop-ins in name order (units/conf-files.ts), later files winning,
// [Manager] section only, read with the `ini` package (these are plain
// key=value files; unit files have their own parser).

import { readFileSync } from 'node:fs';
import { configurationFiles } from '../units/conf-files.js';
import ini from 'ini';
import { parseTimespanRaw } from '../units/values/timespan.js';

export interface SystemConf {
  defaultTimeoutStartUSec: number;
  defaultTimeoutStopUSec: number;
  defaultTimeoutAbortUSec: number;
  defaultRestartUSec: number;
  defaultStartLimitIntervalUSec: number;
  defaultStartLimitBurst: number;
  /** NAME=value assignments added to every service's environment. */
  defaultEnvironment: string[];
  /** Problems to log once (file: message). */
  warnings: string[];
}

export function defaultSystemConf(): SystemConf {
  return {
    defaultTimeoutStartUSec: 90_000_000,
    defaultTimeoutStopUSec: 90_000_000,
    defaultTimeoutAbortUSec: 90_000_000,
    defaultRestartUSec: 100_000,
    defaultStartLimitIntervalUSec: 10_000_000,
    defaultStartLimitBurst: 5,
    defaultEnvironment: [],
    warnings: [],
  };
}

/** Split DefaultEnvironment= like systemd: whitespace separated, double or single quotes group. */
function splitEnvironment(value: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  return out.filter((a) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(a));
}

function apply(conf: SystemConf, file: string, text: string): void {
  let parsed: Record<string, unknown>;
  try {
    parsed = ini.parse(text) as Record<string, unknown>;
  } catch (err) {
    conf.warnings.push(`${file}: ${(err as Error).message}`);
    return;
  }
  const manager = parsed.Manager;
  if (typeof manager !== 'object' || manager === null) return;
  for (const [key, raw] of Object.entries(manager as Record<string, unknown>)) {
    const value = String(raw).trim();
    const span = (): number | undefined => {
      if (value === '') return undefined;
      const r = parseTimespanRaw(value);
      if (!r.ok) {
        conf.warnings.push(`${file}: Failed to parse ${key}=${value}, ignoring: ${r.error}`);
        return undefined;
      }
      return r.value === 0 ? Number.POSITIVE_INFINITY : r.value;
    };
    switch (key) {
      case 'DefaultTimeoutStartSec':
        conf.defaultTimeoutStartUSec = span() ?? conf.defaultTimeoutStartUSec;
        break;
      case 'DefaultTimeoutStopSec':
        conf.defaultTimeoutStopUSec = span() ?? conf.defaultTimeoutStopUSec;
        conf.defaultTimeoutAbortUSec = conf.defaultTimeoutStopUSec;
        break;
      case 'DefaultTimeoutAbortSec':
        conf.defaultTimeoutAbortUSec = span() ?? conf.defaultTimeoutAbortUSec;
        break;
      case 'DefaultRestartSec': {
        const r = parseTimespanRaw(value);
        if (r.ok) conf.defaultRestartUSec = r.value;
        else conf.warnings.push(`${file}: Failed to parse ${key}=${value}, ignoring: ${r.error}`);
        break;
      }
      case 'DefaultStartLimitIntervalSec': {
        const r = parseTimespanRaw(value);
        if (r.ok) conf.defaultStartLimitIntervalUSec = r.value;
        else conf.warnings.push(`${file}: Failed to parse ${key}=${value}, ignoring: ${r.error}`);
        break;
      }
      case 'DefaultStartLimitBurst':
        if (/^\d+$/.test(value)) conf.defaultStartLimitBurst = Number(value);
        else conf.warnings.push(`${file}: Failed to parse ${key}=${value}, ignoring.`);
        break;
      case 'DefaultEnvironment':
        if (value === '') conf.defaultEnvironment = [];
        else conf.defaultEnvironment.push(...splitEnvironment(value));
        break;
      default:
        break; // other [Manager] keys do not apply in a container
    }
  }
}

export function readSystemConf(dir = '/etc/systemd'): SystemConf {
  const conf = defaultSystemConf();
  for (const file of configurationFiles('system.conf', dir)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    apply(conf, file, text);
  }
  return conf;
}
