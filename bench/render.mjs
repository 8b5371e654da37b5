#!/usr/bin/env node
// Re-render the table, targets and plot of a results file without running anything:
//   node bench/render.mjs [bench/results/latest.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown, renderSvg } from './lib/report.mjs';

const file = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'results/latest.json');
const result = JSON.parse(readFileSync(file, 'utf8'));
const { markdown, targets } = renderMarkdown(result);
result.targets = targets;
writeFileSync(file.replace(/\.json$/, '.svg'), renderSvg(result));
writeFileSync(file.replace(/\.json$/, '.md'), markdown);
process.stdout.write(markdown);
