// [Install] (systemd.unit(5)): read by enable/disable, never by the running manager.
// systemd's manager does not validate these values when loading a unit, so
// neither do we: bad specifiers are dropped silently here and reported by the
// install operations that use them.

import { expandSpecifiers, INSTALL_SPECIFIERS } from '../values/specifiers.js';
import type { KeyHandler, KeyTable } from './key-handler.js';
import type { InstallSection } from './types.js';

type ListField = 'wantedBy' | 'requiredBy' | 'alias' | 'also';

function nameList(field: ListField): KeyHandler<InstallSection> {
  return (s, value, ctx) => {
    if (value === '') {
      s[field] = [];
      return;
    }
    for (const word of value.split(/[ \t\n\r]+/).filter((w) => w !== '')) {
      const r = expandSpecifiers(word, ctx.specifiers, INSTALL_SPECIFIERS);
      if (r.ok && !s[field].includes(r.value)) s[field].push(r.value);
    }
  };
}

export const INSTALL_KEYS: KeyTable<InstallSection> = {
  WantedBy: nameList('wantedBy'),
  RequiredBy: nameList('requiredBy'),
  Alias: nameList('alias'),
  Also: nameList('also'),
  DefaultInstance: (s, value, ctx) => {
    const r = expandSpecifiers(value, ctx.specifiers, INSTALL_SPECIFIERS);
    if (r.ok) s.defaultInstance = r.value === '' ? undefined : r.value;
  },
};
