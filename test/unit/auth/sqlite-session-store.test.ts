import { Cookie, type SessionData } from 'express-session';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../server/src/auth/database.js';
import { SqliteSessionStore } from '../../../server/src/http/sqlite-session-store.js';
import { tempDir } from '../../helpers/factories.js';

const HOUR = 3600 * 1000;

let tmp: ReturnType<typeof tempDir>;
let db: Database;
let clock: number;
let store: SqliteSessionStore;

beforeEach(() => {
  tmp = tempDir('berth-sessions-');
  db = openDatabase(tmp.dir);
  clock = Date.UTC(2026, 0, 1);
  store = new SqliteSessionStore(db, { now: () => clock, pruneIntervalMs: 0 });
});
afterEach(() => {
  store.close();
  if (db.open) db.close();
  tmp.cleanup();
});

/** A session as express-session hands it over: a real Cookie expiring `ttl` after the fake clock. */
function session(username: string, ttl = HOUR): SessionData {
  const cookie = new Cookie();
  cookie.expires = new Date(clock + ttl);
  return { cookie, user: { username } } as SessionData;
}

const get = (sid: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) =>
    store.get(sid, (err, s) => (err ? reject(err as Error) : resolve(s))),
  );
const set = (sid: string, s: SessionData) =>
  new Promise<void>((resolve, reject) =>
    store.set(sid, s, (err) => (err ? reject(err as Error) : resolve())),
  );
const touch = (sid: string, s: SessionData) =>
  new Promise<void>((resolve, reject) =>
    store.touch(sid, s, (err) => (err ? reject(err as Error) : resolve())),
  );
const destroy = (sid: string) =>
  new Promise<void>((resolve, reject) =>
    store.destroy(sid, (err) => (err ? reject(err as Error) : resolve())),
  );
const clear = () =>
  new Promise<void>((resolve, reject) => store.clear((err) => (err ? reject(err as Error) : resolve())));
const length = () =>
  new Promise<number | undefined>((resolve, reject) =>
    store.length((err, n) => (err ? reject(err as Error) : resolve(n))),
  );

describe('SqliteSessionStore', () => {
  it('stores, reads back and destroys a session', async () => {
    expect(await get('nope')).toBeNull();
    await set('sid-1', session('admin'));
    const read = await get('sid-1');
    expect(read?.user).toEqual({ username: 'admin' });
    expect(new Date(String(read?.cookie.expires)).getTime()).toBe(clock + HOUR);
    await set('sid-1', session('other'));
    expect((await get('sid-1'))?.user).toEqual({ username: 'other' });
    await destroy('sid-1');
    expect(await get('sid-1')).toBeNull();
  });

  it('survives reopening the database', async () => {
    await set('sid-1', session('admin'));
    store.close();
    db.close();
    db = openDatabase(tmp.dir);
    store = new SqliteSessionStore(db, { now: () => clock, pruneIntervalMs: 0 });
    expect((await get('sid-1'))?.user).toEqual({ username: 'admin' });
  });

  it('ignores expired sessions and prunes them', async () => {
    await set('short', session('a', HOUR));
    await set('long', session('b', 3 * HOUR));
    expect(await length()).toBe(2);
    clock += 2 * HOUR;
    expect(await get('short')).toBeNull();
    expect((await get('long'))?.user).toEqual({ username: 'b' });
    expect(await length()).toBe(1);
    expect(store.pruneExpired()).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
  });

  it('takes the expiry from maxAge, or 7 days when the cookie has none', async () => {
    await set('max-age', { cookie: { maxAge: HOUR, originalMaxAge: HOUR } } as SessionData);
    await set('browser', { cookie: new Cookie() } as SessionData);
    clock += 2 * HOUR;
    expect(await get('max-age')).toBeNull();
    expect(await get('browser')).not.toBeNull();
    clock += 7 * 24 * HOUR;
    expect(await get('browser')).toBeNull();
  });

  it('touch extends the expiry and keeps the rest of the stored data', async () => {
    await set('sid-1', { ...session('admin', HOUR), flash: 'saved' } as SessionData);
    clock += 50 * 60 * 1000;
    // touch carries the request's copy, which may be older than what another request stored.
    const touchedAt = clock;
    await touch('sid-1', session('admin', HOUR));
    clock += 30 * 60 * 1000; // past the first expiry, inside the touched one
    const read = (await get('sid-1')) as (SessionData & { flash?: string }) | null;
    expect(read?.flash).toBe('saved');
    expect(new Date(String(read?.cookie.expires)).getTime()).toBe(touchedAt + HOUR);
    clock = touchedAt + HOUR;
    expect(await get('sid-1')).toBeNull();
  });

  it('counts and clears', async () => {
    await set('a', session('a'));
    await set('b', session('b'));
    expect(await length()).toBe(2);
    await clear();
    expect(await length()).toBe(0);
  });

  it('ends all sessions of a user except the current one', async () => {
    await set('mine', session('admin'));
    await set('laptop', session('Admin'));
    await set('other', session('someone'));
    db.prepare("INSERT INTO sessions (sid, data, expires_at) VALUES ('junk', 'not json', ?)").run(
      clock + HOUR,
    );
    const ended: string[][] = [];
    store.onEnded((sids) => ended.push(sids));
    expect(store.destroyUserSessions('admin', 'mine')).toBe(1);
    // The realtime layer hears exactly which sessions ended, to disconnect their sockets.
    expect(ended).toEqual([['laptop']]);
    expect(await get('mine')).not.toBeNull();
    expect(await get('laptop')).toBeNull();
    expect(await get('other')).not.toBeNull();
  });

  it('tells listeners of a destroyed session, once the store forgot it', async () => {
    await new Promise<void>((r) => store.set('gone', session('admin'), () => r()));
    const ended: string[][] = [];
    const off = store.onEnded((sids) => ended.push(sids));
    await new Promise<void>((r) => store.destroy('gone', () => r()));
    expect(ended).toEqual([['gone']]);
    expect(await get('gone')).toBeNull();
    off();
    await new Promise<void>((r) => store.destroy('other', () => r()));
    expect(ended).toHaveLength(1);
  });

  it('treats a row that is not JSON as no session', async () => {
    db.prepare("INSERT INTO sessions (sid, data, expires_at) VALUES ('junk', '{oops', ?)").run(clock + HOUR);
    expect(await get('junk')).toBeNull();
    expect(db.prepare("SELECT count(*) AS n FROM sessions WHERE sid = 'junk'").get()).toEqual({ n: 0 });
  });

  it('calls back after returning, and passes errors to the callback instead of throwing', async () => {
    let calledBack = false;
    const done = new Promise<void>((resolve) =>
      store.set('sid-1', session('admin'), () => {
        calledBack = true;
        resolve();
      }),
    );
    expect(calledBack).toBe(false);
    await done;

    db.close();
    const err = await new Promise<unknown>((resolve) => {
      expect(() => store.get('sid-1', (e) => resolve(e))).not.toThrow();
    });
    expect(err).toBeInstanceOf(Error);
    const setErr = await new Promise<unknown>((resolve) => store.set('x', session('a'), resolve));
    expect(setErr).toBeInstanceOf(Error);
    expect(() => store.destroy('x')).not.toThrow();
  });
});
