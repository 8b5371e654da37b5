// Hands the memory a burst of work left behind back to the kernel (memory.cc): a full,
// compacting V8 collection, then malloc_trim. For PID 1 once its boot or a daemon-reload is
// over; it costs one full collection (tens of ms with 1000 units), so never on a hot path.

import { native } from './binding.js';

/** True when V8's compaction ran; false where the runtime lacks its entry points (malloc_trim ran alone). */
export function reduceMemory(): boolean {
  return native.reduceMemory();
}
