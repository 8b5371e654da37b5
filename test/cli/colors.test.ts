// Colour decisions as systemd 252's get_color_mode() makes them.

import t from 'tap';
import { colorMode, logLine } from '../../src/cli/colors.js';

t.test('SYSTEMD_COLORS, NO_COLOR, TERM and the terminal', async (t) => {
  const tty = { TERM: 'xterm' };
  t.equal(colorMode({ env: tty, onTTY: true }), '256');
  t.equal(colorMode({ env: tty, onTTY: false }), 'off', 'not a terminal');
  t.equal(colorMode({ env: { TERM: 'dumb' }, onTTY: true }), 'off');
  t.equal(colorMode({ env: {}, onTTY: true }), 'off', 'TERM unset');
  t.equal(colorMode({ env: { ...tty, NO_COLOR: '' }, onTTY: true }), 'off');
  t.equal(colorMode({ env: { SYSTEMD_COLORS: '1', NO_COLOR: '1' }, onTTY: false }), '256', 'SYSTEMD_COLORS wins');
  t.equal(colorMode({ env: { ...tty, SYSTEMD_COLORS: 'no' }, onTTY: true }), 'off');
  t.equal(colorMode({ env: { SYSTEMD_COLORS: '16' }, onTTY: false }), '16');
  t.equal(logLine('warning', 'x', '16'), '\x1b[0;1;33mx\x1b[0m');
  t.equal(logLine('error', 'x', '256'), '\x1b[0;1;31mx\x1b[0m');
  t.equal(logLine('error', 'x', 'off'), 'x');
});
