// The images the end-to-end tests run, built once per source state and shared
// by every test file through the harness's content-hash cache:
//   unitd-base:bookworm  docker/base-image.sh (debootstrap, no registry)
//   unitd-app            Dockerfile.from-source with BASE=unitd-base:bookworm
//   unitd-full           docker/images/full: every packaged service at once
//   unitd-bus            docker/images/bus: dbus, polkitd, rsyslog, ssh.socket (socket activation)
//   unitd-logrotate      docker/images/logrotate: the full image plus logrotate (logrotate.timer)
import path from 'node:path';
import { buildImage, dockerDir, ensureBaseImage, ensureEngine, repoRoot, type BuildResult } from './harness.js';

export const APP_IMAGE = 'unitd-app';
export const FULL_IMAGE = 'unitd-full';

export type Images = { ok: true; app: BuildResult; full: BuildResult } | { ok: false; skip: string };

let images: Promise<Images> | undefined;
let appImage: Promise<AppImage> | undefined;

export type AppImage = { ok: true; app: BuildResult } | { ok: false; skip: string };

/** Engine, base and app image only: for tests that bring their own units (no packaged services). */
export function ensureAppImage(): Promise<AppImage> {
  appImage ??= (async (): Promise<AppImage> => {
    const engine = await ensureEngine();
    if (!engine.ok) return { ok: false as const, skip: engine.skip };
    const base = await ensureBaseImage();
    if (!base.ok) throw new Error(`base-image.sh failed:\n${base.reason}`);
    const app = await buildImage(APP_IMAGE, repoRoot, {
      dockerfile: 'Dockerfile.from-source',
      buildArgs: { BASE: 'unitd-base:bookworm' },
    });
    return { ok: true, app };
  })();
  return appImage;
}

/**
 * Engine, base, app and full image, in that order. A missing engine is a
 * skip (engine.sh's reason); a failed build throws with the build's output.
 */
export function ensureImages(): Promise<Images> {
  images ??= (async (): Promise<Images> => {
    const app = await ensureAppImage();
    if (!app.ok) return app;
    const full = await buildImage(FULL_IMAGE, path.join(dockerDir, 'images', 'full'), {
      buildArgs: { APP: APP_IMAGE },
    });
    return { ok: true, app: app.app, full };
  })();
  return images;
}

/** The socket-activation image (docker/images/bus): dbus, polkitd, rsyslog, ssh.socket. */
export const BUS_IMAGE = 'unitd-bus';

export async function ensureBusImage(): Promise<{ ok: true; bus: BuildResult } | { ok: false; skip: string }> {
  const base = await ensureAppImage();
  if (!base.ok) return base;
  const bus = await buildImage(BUS_IMAGE, path.join(dockerDir, 'images', 'bus'), { buildArgs: { APP: APP_IMAGE } });
  return { ok: true, bus };
}

/** The full image plus logrotate (docker/images/logrotate): logrotate.timer rotating nginx's logs. */
export const LOGROTATE_IMAGE = 'unitd-logrotate';

export async function ensureLogrotateImage(): Promise<{ ok: true; logrotate: BuildResult } | { ok: false; skip: string }> {
  const base = await ensureImages();
  if (!base.ok) return base;
  const logrotate = await buildImage(LOGROTATE_IMAGE, path.join(dockerDir, 'images', 'logrotate'), { buildArgs: { FULL: FULL_IMAGE } });
  return { ok: true, logrotate };
}

export function describeBuild(b: BuildResult): string {
  return `${b.image}: ${b.cached ? 'reused' : 'built'} in ${b.seconds.toFixed(1)}s`;
}
