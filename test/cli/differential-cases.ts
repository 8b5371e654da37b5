// Scenarios for comparing our systemctl with systemd 252's on identical roots.
// Each case seeds files (paths relative to the root; a `link:` value makes a
// symlink) and runs commands in order.

export type Seed = Record<string, string | { link: string } | { mode: number; text: string }>;

export interface DiffCase {
  name: string;
  files: Seed;
  commands: string[][];
}

const LIB = 'usr/lib/systemd/system';
const ETC = 'etc/systemd/system';

const svc = (install = '', extra = ''): string => `[Unit]\nDescription=Test\n${extra}\n[Service]\nExecStart=/bin/true\n${install ? `\n[Install]\n${install}\n` : ''}`;

/** A small vendor tree most cases start from. */
const base: Seed = {
  [`${LIB}/multi-user.target`]: '[Unit]\nDescription=Multi-User System\n',
  [`${LIB}/graphical.target`]: '[Unit]\nDescription=Graphical\nRequires=multi-user.target\n',
  [`${LIB}/sockets.target`]: '[Unit]\nDescription=Sockets\n',
  [`${LIB}/web.service`]: svc('WantedBy=multi-user.target'),
  [`${LIB}/db.service`]: svc('RequiredBy=web.service\nWantedBy=multi-user.target'),
  [`${LIB}/static.service`]: svc(),
  [`${LIB}/aliased.service`]: svc('WantedBy=multi-user.target\nAlias=nick.service other.service'),
  [`${LIB}/also.service`]: svc('Also=web.service db.service'),
  [`${LIB}/tpl@.service`]: svc('WantedBy=multi-user.target\nDefaultInstance=def'),
  [`${LIB}/nodef@.service`]: svc('WantedBy=multi-user.target'),
  [`${LIB}/tpltarget@.service`]: svc('WantedBy=tplwants@.target'),
  [`${LIB}/tplwants@.target`]: '[Unit]\nDescription=tpl\n',
  [`${LIB}/spec.service`]: svc('WantedBy=%N-extra.target\nAlias=%p-alias.service'),
  [`${LIB}/spec-extra.target`]: '[Unit]\nDescription=x\n',
  [`${LIB}/sock.socket`]: '[Socket]\nListenStream=/run/x.sock\n[Install]\nWantedBy=sockets.target\n',
  [`${LIB}/missingdep.service`]: svc('WantedBy=nonexistent.target'),
  [`${LIB}/badalias.service`]: svc('Alias=bad.socket'),
};

const with_ = (extra: Seed): Seed => ({ ...base, ...extra });

export const CASES: DiffCase[] = [
  { name: 'enable a plain unit', files: base, commands: [['enable', 'web.service'], ['is-enabled', 'web.service']] },
  { name: 'enable twice is silent', files: base, commands: [['enable', 'web'], ['enable', 'web']] },
  { name: 'enable with RequiredBy and WantedBy', files: base, commands: [['enable', 'db.service'], ['is-enabled', 'db', 'web']] },
  { name: 'enable with Alias=', files: base, commands: [['enable', 'aliased.service'], ['is-enabled', 'aliased', 'nick', 'other.service']] },
  { name: 'enable through Also=', files: base, commands: [['enable', 'also.service'], ['is-enabled', 'also.service']] },
  { name: 'enable static unit prints hint', files: base, commands: [['enable', 'static.service'], ['is-enabled', 'static']] },
  { name: 'enable nonexistent unit', files: base, commands: [['enable', 'nosuch.service'], ['enable', 'nosuch']] },
  { name: 'template with DefaultInstance', files: base, commands: [['enable', 'tpl@.service'], ['is-enabled', 'tpl@.service', 'tpl@def.service', 'tpl@x.service']] },
  { name: 'template explicit instance', files: base, commands: [['enable', 'tpl@foo.service'], ['is-enabled', 'tpl@foo.service', 'tpl@.service'], ['disable', 'tpl@foo.service']] },
  { name: 'template without DefaultInstance', files: base, commands: [['enable', 'nodef@.service'], ['enable', 'nodef@a.service']] },
  { name: 'template into template target', files: base, commands: [['enable', 'tpltarget@.service'], ['enable', 'tpltarget@z.service']] },
  { name: 'specifiers in [Install]', files: base, commands: [['enable', 'spec.service'], ['is-enabled', 'spec', 'spec-alias'], ['disable', 'spec']] },
  { name: 'enable a socket', files: base, commands: [['enable', 'sock.socket'], ['is-enabled', 'sock.socket']] },
  { name: 'destination does not exist', files: base, commands: [['enable', 'missingdep.service']] },
  { name: 'alias with wrong type', files: base, commands: [['enable', 'badalias.service']] },
  { name: 'disable after enable', files: base, commands: [['enable', 'aliased', 'db'], ['disable', 'aliased.service'], ['disable', 'db']] },
  { name: 'disable nothing to do', files: base, commands: [['disable', 'web.service']] },
  { name: 'disable nonexistent', files: base, commands: [['disable', 'nosuch.service']] },
  { name: 'disable Also=', files: base, commands: [['enable', 'web', 'db'], ['disable', 'also']] },
  { name: 'reenable', files: base, commands: [['enable', 'aliased'], ['reenable', 'aliased'], ['reenable', 'web']] },
  { name: 'mask and unmask', files: base, commands: [['mask', 'web'], ['is-enabled', 'web'], ['mask', 'web'], ['unmask', 'web'], ['unmask', 'web'], ['is-enabled', 'web']] },
  { name: 'mask nonexistent unit', files: base, commands: [['mask', 'ghost.service'], ['is-enabled', 'ghost.service']] },
  { name: 'mask over real file', files: with_({ [`${ETC}/local.service`]: svc('WantedBy=multi-user.target') }), commands: [['mask', 'local.service'], ['mask', '--force', 'local.service']] },
  { name: 'enable masked unit', files: base, commands: [['mask', 'web'], ['enable', 'web'], ['disable', 'web']] },
  { name: 'runtime enable and mask', files: base, commands: [['enable', '--runtime', 'web'], ['is-enabled', 'web'], ['mask', '--runtime', 'db'], ['is-enabled', 'db'], ['disable', '--runtime', 'web']] },
  { name: 'force overrides conflicting alias', files: with_({ [`${ETC}/nick.service`]: { link: '/usr/lib/systemd/system/web.service' } }), commands: [['enable', 'aliased'], ['enable', '--force', 'aliased']] },
  { name: 'set-default and get-default', files: base, commands: [['get-default'], ['set-default', 'multi-user.target'], ['get-default'], ['set-default', 'graphical'], ['get-default']] },
  { name: 'set-default errors', files: base, commands: [['set-default', 'nosuch.target'], ['set-default', 'web.service']] },
  { name: 'get-default through vendor alias', files: with_({ [`${LIB}/default.target`]: { link: 'graphical.target' } }), commands: [['get-default'], ['is-enabled', 'default.target']] },
  { name: 'list-unit-files', files: base, commands: [['list-unit-files']] },
  { name: 'list-unit-files after enabling', files: base, commands: [['enable', 'web', 'aliased', 'tpl@.service'], ['mask', 'static'], ['list-unit-files']] },
  { name: 'list-unit-files patterns', files: base, commands: [['list-unit-files', '*.target'], ['list-unit-files', 'tpl*', 'web*'], ['list-unit-files', 'zz*']] },
  { name: 'list-unit-files --state and --type', files: base, commands: [['enable', 'web'], ['list-unit-files', '--state=enabled'], ['list-unit-files', '--type=target'], ['list-unit-files', '--state=static,disabled', '--no-legend']] },
  { name: 'preset with policy', files: with_({ 'usr/lib/systemd/system-preset/90-default.preset': 'enable web.service\ndisable *\n' }), commands: [['preset', 'web', 'db'], ['list-unit-files', '--type=service']] },
  { name: 'preset-all default policy', files: base, commands: [['preset-all']] },
  { name: 'preset-all with policy', files: with_({ 'usr/lib/systemd/system-preset/90-default.preset': 'enable aliased.service\nenable tpl@.service a b\ndisable *\n', 'etc/systemd/system-preset/10-admin.preset': 'enable db.service\n' }), commands: [['enable', 'web'], ['preset-all'], ['list-unit-files']] },
  { name: 'preset-all --preset-mode=enable-only', files: with_({ 'usr/lib/systemd/system-preset/90-default.preset': 'enable db.service\ndisable *\n' }), commands: [['enable', 'web'], ['preset-all', '--preset-mode=enable-only']] },
  { name: 'preset-all --preset-mode=disable-only', files: with_({ 'usr/lib/systemd/system-preset/90-default.preset': 'enable db.service\ndisable *\n' }), commands: [['enable', 'web'], ['preset-all', '--preset-mode=disable-only']] },
  { name: 'preset masked unit', files: with_({ 'usr/lib/systemd/system-preset/90-default.preset': 'disable *\n' }), commands: [['mask', 'web'], ['preset', 'web'], ['preset-all']] },
  { name: 'link a unit file from outside', files: with_({ 'opt/app/app.service': svc('WantedBy=multi-user.target') }), commands: [['link', '/opt/app/app.service'], ['is-enabled', 'app'], ['enable', 'app'], ['is-enabled', 'app'], ['disable', 'app'], ['is-enabled', 'app']] },
  { name: 'enable by path', files: with_({ 'opt/app/app2.service': svc('WantedBy=multi-user.target\nAlias=app2alias.service') }), commands: [['enable', '/opt/app/app2.service'], ['list-unit-files', 'app*']] },
  { name: 'add-wants and add-requires', files: base, commands: [['add-wants', 'multi-user.target', 'static.service'], ['add-requires', 'graphical.target', 'web'], ['is-enabled', 'static']] },
  { name: 'alias symlink in /etc', files: with_({ [`${ETC}/myweb.service`]: { link: '/usr/lib/systemd/system/web.service' } }), commands: [['is-enabled', 'myweb', 'web'], ['list-unit-files', 'myweb*', 'web*']] },
  { name: 'drop-ins with [Install]', files: with_({ [`${LIB}/static.service.d/50-install.conf`]: '[Install]\nWantedBy=multi-user.target\n' }), commands: [['enable', 'static'], ['is-enabled', 'static']] },
  { name: 'bad unit names', files: base, commands: [['enable', 'bad name!'], ['is-enabled', 'föö'], ['mask', 'x.bogus']] },
  { name: 'empty file is masked', files: with_({ [`${ETC}/empty.service`]: '' }), commands: [['is-enabled', 'empty'], ['enable', 'empty'], ['list-unit-files', 'empty*']] },
  { name: 'vendor wants static instance', files: with_({ [`${LIB}/multi-user.target.wants/tpl@v.service`]: { link: '../tpl@.service' } }), commands: [['is-enabled', 'tpl@v.service', 'tpl@.service']] },
  { name: 'indirect via Also only', files: with_({ [`${LIB}/onlyalso.service`]: svc('Also=web.service') }), commands: [['is-enabled', 'onlyalso'], ['enable', 'onlyalso'], ['is-enabled', 'onlyalso']] },
  { name: 'argument errors', files: base, commands: [['enable'], ['get-default', 'x'], ['bogusverb'], ['--bogus', 'enable', 'x'], ['is-enabled']] },
  { name: 'quiet enable and is-enabled', files: base, commands: [['enable', '-q', 'web'], ['is-enabled', '--quiet', 'web'], ['disable', '-q', 'web']] },
  { name: 'revert local override', files: with_({ [`${ETC}/web.service`]: svc('WantedBy=multi-user.target'), [`${ETC}/web.service.d/override.conf`]: '[Service]\nNice=1\n' }), commands: [['mask', 'db'], ['revert', 'web', 'db']] },
];
