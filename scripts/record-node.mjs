// Run by `npm run build` after tsc: records the absolute path of the node that
// built dist/ in dist/node-path, so the launchers in init/ (see init/exec-node.sh)
// find it without PATH: apt's maintainer scripts, service(8), cron and sudo run
// with a PATH that misses /usr/local/bin, where the official node images keep it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'node-path'), process.execPath + '\n');
