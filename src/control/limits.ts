// Every bound of the control socket and of unit-file reading, in one place.
// PID 1 serves anyone in the container (reads are open to every uid, like
// systemd's bus), so each resource a client can make it hold is bounded here:
// memory per connection (frame size, queued requests, queued reply bytes),
// file descriptors (connections per uid and in total, idle timeout), and CPU
// per request (names per request, nesting depth). The README's "Bounds"
// table states the figures these give. Imported by the client too: constants only.

export const CONTROL_LIMITS = {
  /** Largest frame either side accepts; bigger replies are streamed in parts (protocol.ts). */
  maxFrameBytes: 1024 * 1024,
  /**
   * Characters of a streamed reply's JSON per part. A character is at most 3
   * bytes of UTF-8, and escaping inside the part string at most doubles `"`/`\`,
   * so a part frame stays under maxFrameBytes.
   */
  replyPartChars: 256 * 1024,
  /** Requests read but not yet served, per connection; reading pauses beyond this. */
  maxQueuedRequests: 64,
  /** `start --wait`-style requests waiting for their job, per connection. */
  maxWaitingJobs: 256,
  /**
   * Reply bytes written but not yet taken by the client. Above this the
   * connection serves nothing more and reads nothing more until 'drain': a
   * client that never reads costs at most this plus one reply.
   */
  maxQueuedReplyBytes: 4 * 1024 * 1024,
  /**
   * The same, summed over every unprivileged connection: above it no unprivileged request is
   * served until some client reads. Without it 768 unprivileged connections could make PID 1 hold
   * 768 × maxQueuedReplyBytes; with it, all of them hold at most this plus one reply, which keeps
   * PID 1 within the README's memory bound (idle + 64 MiB) under any control-socket load.
   */
  maxUnprivilegedQueuedReplyBytes: 16 * 1024 * 1024,
  /** Open control connections in total (each is a file descriptor of PID 1); fewer under a low RLIMIT_NOFILE (fd-budget.ts). */
  maxConnections: 1024,
  /** Of maxConnections, this many are kept for root only: unprivileged peers can never starve it. */
  rootReservedConnections: 256,
  /** Open connections of one unprivileged uid. */
  maxConnectionsPerUid: 32,
  /** Refused connections kept open until their client has read why (each an fd); beyond it they are closed at once. */
  maxRefusedWaiting: 32,
  /** An unprivileged connection with no traffic either way for this long is closed (root's never are). */
  idleTimeoutMs: 30_000,
  /** Unit names in one request; the client splits longer lists (systemctl status of many units). */
  maxNamesPerRequest: 1024,
  /** Nesting depth of a request's JSON; deeper is refused before it is parsed. */
  maxRequestDepth: 32,
  /** At most one "refused" log line per this interval; the rest are counted into the next line. */
  refusalLogIntervalMs: 10_000,
} as const;

export const UNIT_FILE_LIMITS = {
  /**
   * Largest unit file or drop-in read. systemd reads unit files line by line
   * with a 1 MiB line limit (LONG_LINE_MAX) and no larger file is plausible;
   * the size is checked with fstat before a byte is read.
   */
  maxBytes: 4 * 1024 * 1024,
} as const;
