import { closeSync, constants, openSync } from 'node:fs';
import * as pty from 'node-pty';
import type { PtyFactory } from './terminal-types.js';

/**
 * node-pty, with a terminal type full-screen programs in containers understand, and with the tail
 * of the output kept.
 *
 * On Linux node-pty loses the last output of a process that exits right after writing (node-pty
 * issues #72/#726; more than half of the runs of `echo -n <20 KB>` here): when the child closes the
 * pty, libuv sees POLLHUP after a short read and reports end-of-file although the kernel still holds
 * data. Keeping our own handle on the pty's slave side means the master never hangs up while the
 * child exits. Left alone, node-pty would then report every exit 200 ms late (its close timeout),
 * which a deploy feels; so the child's end is noticed (node-pty's native thread reaps it, after
 * which `kill(pid, 0)` fails), the output is drained until it is quiet, and only then is the handle
 * released: the master hangs up on an empty buffer and the exit is reported at once.
 */
export const nodePtyFactory: PtyFactory = (file, args, opts) => {
  const proc = pty.spawn(file, args, {
    name: 'xterm-256color',
    cwd: opts.cwd,
    env: opts.env,
    cols: opts.cols,
    rows: opts.rows,
  });
  const slave = holdSlave(proc);
  if (slave === null) return proc;
  let open = true;
  const release = () => {
    if (!open) return;
    open = false;
    clearInterval(watch);
    closeSync(slave);
  };
  let lastData = Date.now();
  const data = proc.onData(() => (lastData = Date.now()));
  const watch = setInterval(() => {
    if (isAlive(proc.pid)) return;
    clearInterval(watch);
    const drain = setInterval(() => {
      if (Date.now() - lastData < QUIET_MS) return;
      clearInterval(drain);
      release();
    }, QUIET_MS / 3);
  }, POLL_MS);
  const exit = proc.onExit(() => {
    exit.dispose();
    data.dispose();
    release();
  });
  return proc;
};

/** How often a running child is checked for its end, and how long output must be quiet after it. */
const POLL_MS = 10;
const QUIET_MS = 10;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holdSlave(proc: pty.IPty): number | null {
  // `ptsName` exists on node-pty's Unix terminal but is not in its typings.
  const name: unknown = Reflect.get(proc, 'ptsName');
  if (typeof name !== 'string' || name === '') return null;
  try {
    // O_NOCTTY: the server must not get the pty as its controlling terminal. libuv adds O_CLOEXEC.
    return openSync(name, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return null;
  }
}
