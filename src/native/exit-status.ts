// The exit-status table lives in units/values/exit-status.ts (pure, no addon); native/
// re-exports it so the spawner's users need one import.

export {
  EXIT_STATUSES,
  EXIT_STATUS_CLASSES,
  exitStatusByCode,
  exitStatusByName,
  type ExitStatus,
  type ExitStatusName,
  type ExitStatusClass,
} from '../units/values/exit-status.js';
