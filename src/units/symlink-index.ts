// The symlinks of one unit directory, indexed by the three names systemd's
// find_symlinks_in_directory() compares with a unit's name: the link's own name,
// its template (foo@bar.service -> foo@.service) and its destination's basename.
// Deciding a unit's UnitFileState used to read every search directory and every
// .wants/.requires/.upholds directory in full, once per unit: loading N units read
// O(N) entries N times. A SymlinkIndexCache reads each directory once and answers
// each unit from the index; whoever holds the cache decides how long that snapshot
// is valid (one listing, one stretch of unit loading).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { rawDirEntries } from './install.js';
import { templateOf } from './unit-name.js';

const DEPENDENCY_DIR_SUFFIXES = ['.wants', '.requires', '.upholds'];

export interface IndexedLink {
  readonly name: string;
  /** Position in readdir order, so candidates are visited in the order a full scan would. */
  readonly order: number;
}

export class DirectoryIndex {
  /** Symlinks, in readdir order. */
  readonly links: IndexedLink[] = [];
  /** Paths of the .wants/.requires/.upholds subdirectories (directories or links to them), in readdir order. */
  readonly dependencyDirs: string[] = [];
  private readonly byName = new Map<string, IndexedLink[]>();
  private readonly byTemplate = new Map<string, IndexedLink[]>();
  /** Destinations are read only when a caller compares them (the .wants/ scans never do). */
  private destinations: Map<IndexedLink, string | undefined> | undefined;
  private byDestinationName: Map<string, IndexedLink[]> | undefined;

  constructor(readonly dir: string) {
    for (const de of rawDirEntries(dir)) {
      if (de.isSymbolicLink()) {
        const link: IndexedLink = { name: de.name, order: this.links.length };
        this.links.push(link);
        push(this.byName, de.name, link);
        const tpl = templateOf(de.name);
        if (tpl !== undefined) push(this.byTemplate, tpl, link);
      }
      const dot = de.name.lastIndexOf('.');
      if (dot < 0 || !DEPENDENCY_DIR_SUFFIXES.includes(de.name.slice(dot))) continue;
      const sub = path.join(dir, de.name);
      let isDir = de.isDirectory();
      if (de.isSymbolicLink()) {
        try {
          isDir = fs.statSync(sub).isDirectory();
        } catch {
          isDir = false;
        }
      }
      if (isDir) this.dependencyDirs.push(sub);
    }
  }

  named(name: string): readonly IndexedLink[] {
    return this.byName.get(name) ?? [];
  }

  withTemplate(template: string): readonly IndexedLink[] {
    return this.byTemplate.get(template) ?? [];
  }

  /** The link's destination made absolute, or undefined when it cannot be read. */
  destination(link: IndexedLink): string | undefined {
    this.readDestinations();
    return this.destinations!.get(link);
  }

  /** Links whose destination's basename is `name`. */
  pointingTo(name: string): readonly IndexedLink[] {
    this.readDestinations();
    return this.byDestinationName!.get(name) ?? [];
  }

  private readDestinations(): void {
    if (this.destinations) return;
    this.destinations = new Map();
    this.byDestinationName = new Map();
    for (const link of this.links) {
      let dest: string | undefined;
      try {
        dest = fs.readlinkSync(path.join(this.dir, link.name));
        if (!dest.startsWith('/')) dest = path.join(this.dir, dest);
        push(this.byDestinationName, path.basename(dest), link);
      } catch {
        dest = undefined;
      }
      this.destinations.set(link, dest);
    }
  }
}

/** Directory indexes for one snapshot of the search path; drop it (or make a new one) to see changes. */
export class SymlinkIndexCache {
  private readonly indexes = new Map<string, DirectoryIndex>();
  /** Directories read so far (tests count them to check that a directory is read once per snapshot). */
  reads = 0;

  of(dir: string): DirectoryIndex {
    let index = this.indexes.get(dir);
    if (!index) {
      index = new DirectoryIndex(dir);
      this.reads++;
      this.indexes.set(dir, index);
    }
    return index;
  }
}

/** Candidates from several lists, each once, in readdir order. */
export function inReaddirOrder(...lists: (readonly IndexedLink[])[]): IndexedLink[] {
  const all = new Set<IndexedLink>();
  for (const l of lists) for (const link of l) all.add(link);
  return [...all].sort((a, b) => a.order - b.order);
}

function push(map: Map<string, IndexedLink[]>, key: string, link: IndexedLink): void {
  const list = map.get(key);
  if (list) list.push(link);
  else map.set(key, [link]);
}
