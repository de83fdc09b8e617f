import { describe, expect, it } from 'vitest';
import type { ImageCheck } from '../../../common/updates.js';
import { openMemoryDatabase } from '../../../server/src/auth/database.js';
import type { Job } from '../../../server/src/compose/job-store.js';
import { silentLogger } from '../../../server/src/logger.js';
import type { Notice, Notifier } from '../../../server/src/updates/notifier.js';
import type { SafeUpdater } from '../../../server/src/updates/safe-updater.js';
import type { UpdateChecker } from '../../../server/src/updates/update-checker.js';
import { UpdateService } from '../../../server/src/updates/update-service.js';
import { UpdateStore } from '../../../server/src/updates/update-store.js';

function check(
  stack: string,
  service: string,
  status: ImageCheck['status'],
  policy: ImageCheck['policy'],
  latest = 'sha256:b',
): ImageCheck {
  return {
    stack,
    service,
    image: 'x',
    currentDigest: 'sha256:a',
    latestDigest: latest,
    status,
    checkedAt: '',
    policy,
  };
}

function setup(results: Record<string, ImageCheck[]>, now = new Date(2026, 0, 1, 3, 0)) {
  const store = new UpdateStore(openMemoryDatabase());
  const started: string[] = [];
  const notices: Notice[] = [];
  const service = new UpdateService(
    {
      checker: {
        checkStack: (name: string) => Promise.resolve(results[name] ?? []),
      } as unknown as UpdateChecker,
      store,
      updater: {
        start: (stack: string, actor: string) => {
          started.push(`${stack} by ${actor}`);
          return Promise.resolve({ id: 'j' } as Job);
        },
      } as unknown as SafeUpdater,
      notifier: {
        send: (urls: string[], n: Notice) => {
          notices.push(n);
          return Promise.resolve(urls.map((url) => ({ url, ok: true })));
        },
      } as unknown as Notifier,
      stacks: { names: () => Object.keys(results), read: () => Promise.resolve({ yaml: '' }) },
      log: silentLogger(),
    },
    { intervalMs: 0, autoWindow: { start: 120, end: 300 }, now: () => now },
  );
  store.saveNotificationSettings({
    urls: ['http://r.example/'],
    onUpdateAvailable: true,
    onUpdateFailed: true,
  });
  return { service, store, started, notices };
}

describe('UpdateService', () => {
  it('counts updates per stack, notifies new ones once, tells listeners', async () => {
    const results = {
      a: [check('a', 'web', 'update-available', 'notify'), check('a', 'db', 'up-to-date', 'notify')],
    };
    const { service, notices } = setup(results);
    const changed: string[][] = [];
    service.onChange((s) => changed.push(s));
    await service.check();
    expect(service.countFor('a')).toBe(1);
    expect(changed).toEqual([['a']]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ event: 'update-available', message: 'a/web: x' });
    await service.check();
    expect(notices).toHaveLength(1);
    results.a[0] = check('a', 'web', 'update-available', 'notify', 'sha256:c');
    await service.check('a');
    expect(notices).toHaveLength(2);
  });

  it('auto-updates only stacks whose every update is on auto, and only inside the window', async () => {
    const results = {
      auto: [check('auto', 'web', 'update-available', 'auto'), check('auto', 'db', 'up-to-date', 'notify')],
      mixed: [
        check('mixed', 'web', 'update-available', 'auto'),
        check('mixed', 'db', 'update-available', 'notify'),
      ],
    };
    const inside = setup(results);
    await inside.service.check();
    expect(await inside.service.autoUpdate()).toEqual(['auto']);
    expect(inside.started).toEqual(['auto by auto']);
    const outside = setup(results, new Date(2026, 0, 1, 12, 0));
    await outside.service.check();
    expect(await outside.service.autoUpdate()).toEqual([]);
  });
});
