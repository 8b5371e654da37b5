// journalctl: reads the store under /var/log/journal directly, so it works with or without a
// running daemon. `main(argv)` takes the arguments after the program name and resolves to
// the exit code; init/journalctl calls it.

import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { StoredEntry } from '../journal/entry.js';
import type { JournalFilter } from '../journal/filter.js';
import { JournalReader, type ReadResult } from '../journal/reader.js';
import { formatTimestamp } from '../units/values/timestamp.js';
import { currentBootId, listBoots as storeBoots, resolveBoot, type BootSelector } from '../journal/boots.js';
import { formatCursor, parseCursor } from '../journal/cursor.js';
import { parseOptions, UsageError, type JournalctlOptions } from './journalctl/options.js';
import { renderEntry, type OutputContext } from './journalctl/output.js';
import { LOG_EOL, writeStd } from './io.js';
import { openPager, type Pager } from './pager.js';

export interface JournalctlIO {
  /** Writes raw bytes to stdout; resolves when the consumer has taken them (backpressure). */
  write(chunk: Buffer | string): Promise<void>;
  /** One line to stderr. */
  error(line: string): void;
  /** True once stdout is gone (EPIPE): stop quietly. */
  closed(): boolean;
}

/** Output modes for programs: journalctl 252 prints no `-- No entries --` line in them. */
const MACHINE_OUTPUT: ReadonlySet<string> = new Set(['cat', 'export', 'json', 'json-pretty', 'json-sse', 'json-seq']);

/** Without `given`, output is this process's stdout, paged on a terminal as journalctl does. */
export async function main(argv: string[], given?: JournalctlIO): Promise<number> {
  let io = given ?? processIO();
  let options: JournalctlOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.error(error.fromGetopt ? `journalctl: ${error.message}` : error.message);
    return 1;
  }
  if (options.help) {
    await io.write(USAGE);
    return 0;
  }
  if (options.version) {
    await io.write('unitd journalctl (compatible with systemd 252)\n');
    return 0;
  }
  const reader = new JournalReader(options.directory);
  const context: OutputContext = {
    mode: options.output,
    hostname: hostname(),
    all: options.all,
    utc: options.utc,
    noHostname: options.noHostname,
    ...(options.outputFields ? { outputFields: new Set(options.outputFields) } : {}),
  };
  // journalctl pages everything but -f, which keeps printing as entries come. The pager
  // starts with the first output, so a refusal before any (a boot that is not there) is
  // printed on the terminal as journalctl prints it before pager_open().
  const paged = given === undefined && !options.follow ? pagedOnFirstWrite(io, () => openPager(options.noPager, { jumpToEnd: options.pagerEnd })) : undefined;
  try {
    return await show(options, reader, context, paged ?? io);
  } finally {
    await paged?.close();
  }
}

async function show(options: JournalctlOptions, reader: JournalReader, context: OutputContext, io: JournalctlIO): Promise<number> {
  if (options.listBoots) return listBoots(reader, io);

  const filter: JournalFilter = {
    units: options.units,
    identifiers: options.identifiers,
    fields: options.fields,
    since: options.since,
    until: options.until,
    priority: options.priority,
    grep: options.grep,
  };
  if (options.boot) {
    // With -D the journal is another system's: "this boot" is its newest one.
    const boot = resolveBoot(storeBoots(reader.dir), options.boot, options.directory === undefined ? currentBootId() : undefined);
    if (boot === undefined) {
      io.error(`Data from the specified boot (${describeBoot(options.boot)}) is not available: No such boot ID in journal`);
      return 1;
    }
    filter.boot = boot;
  }
  const start = startCursor(options);
  let result: ReadResult;
  if (options.kernel) result = { entries: [], end: reader.endCursor() }; // -k: a container journal has no kernel messages
  else if (start) {
    const cursor = parseCursor(start.text);
    if (!cursor) {
      io.error('Failed to seek to cursor: Invalid argument');
      return 1;
    }
    result = reader.fromCursor(filter, cursor, start.inclusive);
    // After a cursor, -n N shows the first N entries from there, as journalctl does.
    if (options.linesGiven && options.lines !== undefined) result = { ...result, entries: result.entries.slice(0, options.lines) };
  } else result = select(reader, filter, options);
  const entries = options.reverse ? [...result.entries].reverse() : result.entries;
  for (const entry of entries) {
    if (io.closed()) return 0;
    await io.write(renderEntry(entry, context));
  }
  if (entries.length === 0 && !options.quiet && !options.follow && !MACHINE_OUTPUT.has(options.output)) await io.write('-- No entries --\n');
  const last = cursorEntry(reader, filter, options, start, result);
  if (last && options.showCursor && !options.follow) await io.write(`-- cursor: ${formatCursor(last)}\n`);
  if (last && options.cursorFile !== undefined && !options.follow) {
    try {
      writeFileSync(options.cursorFile, formatCursor(last));
    } catch (error) {
      io.error(`Failed to write new cursor to ${options.cursorFile}: ${(error as Error).message}`);
      return 1;
    }
  }
  // journalctl 252 mimics grep: -g that matched nothing exits 1.
  if (!options.follow || options.kernel) return options.grep !== undefined && entries.length === 0 ? 1 : 0;
  return follow(reader, filter, result, context, io);
}

/**
 * The entry --show-cursor and --cursor-file name: journalctl reports where its
 * read stopped, and it reads past entries -g hides (they match every other
 * filter), so the cursor is the last entry read, not the last one shown.
 */
function cursorEntry(
  reader: JournalReader,
  filter: JournalFilter,
  options: JournalctlOptions,
  start: { text: string; inclusive: boolean } | undefined,
  result: ReadResult,
): StoredEntry | undefined {
  const shown = result.entries.at(-1);
  if (filter.grep === undefined || options.reverse || (start && options.linesGiven) || !(options.showCursor || options.cursorFile !== undefined)) return shown;
  const unfiltered = { ...filter, grep: undefined };
  const cursor = start ? parseCursor(start.text) : undefined;
  const read = cursor ? reader.fromCursor(unfiltered, cursor, start?.inclusive ?? false) : reader.tail(unfiltered, 1);
  return read.entries.at(-1) ?? shown;
}

/** --cursor/--after-cursor, else the cursor saved in --cursor-file (resumed after). */
function startCursor(options: JournalctlOptions): { text: string; inclusive: boolean } | undefined {
  if (options.cursor) return options.cursor;
  if (options.cursorFile === undefined) return undefined;
  try {
    const text = readFileSync(options.cursorFile, 'utf8').trim();
    return text === '' ? undefined : { text, inclusive: false };
  } catch {
    return undefined; // the first run: no file yet
  }
}

function describeBoot(boot: BootSelector): string {
  const offset = boot.offset > 0 ? `+${boot.offset}` : String(boot.offset);
  return boot.id === undefined ? offset : `${boot.id}${boot.offset !== 0 ? offset : ''}`;
}

/**
 * Which entries to show first. journalctl 252 shows the last N with -n, but the first N after
 * the bound when --since is also given; -f and -e imply a tail (10 and 1000 lines).
 */
function select(reader: JournalReader, filter: JournalFilter, options: JournalctlOptions): ReadResult {
  let lines = options.lines;
  if (!options.linesGiven && options.follow) lines = 10;
  else if (!options.linesGiven && options.pagerEnd) lines = 1000;
  if (options.noTail) lines = undefined;
  if (lines === undefined) return reader.head(filter);
  if (options.since !== undefined) return reader.head(filter, lines);
  return reader.tail(filter, lines);
}

/** Prints new entries as they are written, until SIGINT/SIGTERM or stdout closes. */
function follow(reader: JournalReader, filter: JournalFilter, start: ReadResult, context: OutputContext, io: JournalctlIO): Promise<number> {
  return new Promise((resolve) => {
    let writing: Promise<void> = Promise.resolve();
    const handle = reader.follow(filter, start.end, (entry: StoredEntry) => {
      writing = writing.then(() => (io.closed() ? stop() : io.write(renderEntry(entry, context))));
    });
    const stop = () => {
      handle.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** journalctl 252's table: IDX (right-aligned, 0 = the newest), BOOT ID, FIRST ENTRY, LAST ENTRY. */
async function listBoots(reader: JournalReader, io: JournalctlIO): Promise<number> {
  const boots = storeBoots(reader.dir);
  if (boots.length === 0) return 0;
  const rows = boots.map((boot, i) => [String(i - (boots.length - 1)), boot.bootId, formatTimestamp(boot.first), formatTimestamp(boot.last)]);
  const header = ['IDX', 'BOOT ID', 'FIRST ENTRY', 'LAST ENTRY'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padStart(widths[0]) : column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join(' ');
  await io.write([header, ...rows].map(line).join('\n') + '\n');
  return 0;
}

/** The terminal until the first write opens the pager; then output and errors go into it (systemd redirects both streams). */
function pagedOnFirstWrite(terminal: JournalctlIO, open: () => Pager | undefined): JournalctlIO & { close(): Promise<void> } {
  let pager: Pager | undefined;
  let opened = false;
  return {
    write(chunk) {
      if (!opened) {
        opened = true;
        pager = open();
      }
      return pager ? pager.write(chunk) : terminal.write(chunk);
    },
    error: (line) => (pager ? void pager.write(line + '\n') : terminal.error(line)),
    closed: () => (pager ? pager.closed() : terminal.closed()),
    close: async () => pager?.close(),
  };
}

/**
 * stdout: write(2) first, as io.ts's writeStd (creating process.stdout costs a start the streams);
 * what write(2) cannot take (EAGAIN on a non-blocking fd a parent handed us) goes to process.stdout
 * with backpressure, and so does everything after it, to keep the order. EPIPE (`journalctl | head`)
 * ends output instead of crashing.
 */
function processIO(): JournalctlIO {
  let gone = false;
  let streaming = false;
  const viaStream = (chunk: Buffer): Promise<void> => {
    if (process.stdout.write(chunk)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        process.stdout.off('close', done);
        resolve();
      };
      process.stdout.on('drain', done);
      process.stdout.on('error', done);
      process.stdout.on('close', done);
    });
  };
  return {
    write(chunk) {
      if (gone) return Promise.resolve();
      const bytes = Buffer.from(chunk);
      if (streaming) return viaStream(bytes);
      let done = 0;
      try {
        while (done < bytes.length) done += writeSync(1, bytes, done);
        return Promise.resolve();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
          gone = true;
          return Promise.resolve();
        }
        streaming = true;
        process.stdout.on('error', () => {
          gone = true;
        });
        return viaStream(bytes.subarray(done));
      }
    },
    error(line) {
      writeStd(2, line + LOG_EOL());
    },
    closed: () => gone,
  };
}

const USAGE = `journalctl [OPTIONS...] [MATCHES...]

Query the unitd journal.

Options:
  -u --unit=UNIT             Show logs from the specified unit (globs allowed)
  -t --identifier=STRING     Show entries with the specified syslog identifier
  -S --since=DATE            Show entries not older than the specified date
  -U --until=DATE            Show entries not newer than the specified date
  -p --priority=RANGE        Show entries with the specified priority
  -g --grep=PATTERN          Show entries with MESSAGE matching PATTERN
     --case-sensitive[=BOOL] Force case sensitive or insensitive matching
  -n --lines[=INTEGER]       Number of journal entries to show
  -e --pager-end             Immediately jump to the end (implies -n1000)
  -f --follow                Follow the journal
     --no-tail               Show all lines, even in follow mode
  -r --reverse               Show the newest entries first
  -o --output=STRING         short, short-full, short-iso, short-iso-precise, short-precise,
                             short-unix, with-unit, cat, json, json-pretty, json-sse,
                             json-seq, export, verbose
  -a --all                   Show all fields, including long and unprintable
  -q --quiet                 Do not show info messages
     --utc                   Express time in Coordinated Universal Time (UTC)
     --no-hostname           Suppress output of hostname field
  -D --directory=PATH        Show journal files from directory
  -b --boot[=ID]             Show current boot or the specified boot
     --list-boots            Show terse information about recorded boots
  -c --cursor=CURSOR         Show entries starting at the specified cursor
     --after-cursor=CURSOR   Show entries after the specified cursor
     --cursor-file=FILE      Show entries after cursor in FILE and update FILE
     --show-cursor           Print the cursor after all the entries
  -k --dmesg                 Show kernel message log (always empty in a container)
     --no-pager              Do not pipe output into a pager
  -x --catalog -l --full -m --merge --system
                             Accepted for compatibility
  -h --help                  Show this help text
     --version               Show package version
`;
