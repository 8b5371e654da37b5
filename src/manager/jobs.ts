// The job engine's public face. The engine is split by systemd's own seams:
// job.ts (one job, merging), transaction.ts (building a request's jobs over the
// dependency graph), job-engine.ts (installing, running and finishing jobs).

export { JobEngine, type JobUnits, type JobMessages, type EnqueueOptions } from './job-engine.js';
export { Job } from './job.js';
