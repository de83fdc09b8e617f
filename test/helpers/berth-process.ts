import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface BerthProcess {
  child: ChildProcess;
  url: string;
  cookie: string;
  built: boolean;
  rssMB(): number;
  stop(): Promise<void>;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Starts Berth as its own process (the build when present) and logs in; figures are its own. */
export async function startBerthProcess(env: Record<string, string>): Promise<BerthProcess> {
  const built = existsSync('dist/server/src/main.js');
  const child = spawn(
    process.execPath,
    built ? ['dist/server/src/main.js'] : ['--import', 'tsx', 'server/src/main.ts'],
    {
      env: {
        ...process.env,
        BERTH_PORT: '0',
        BERTH_HOST: '127.0.0.1',
        BERTH_ADMIN_USER: 'admin',
        BERTH_ADMIN_PASSWORD: 'admin-password-1',
        BERTH_LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let port = 0;
  for await (const line of createInterface({ input: child.stdout! })) {
    const entry = JSON.parse(line) as { msg: string; port?: number };
    if (entry.msg === 'berth listening') {
      port = entry.port ?? 0;
      break;
    }
  }
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: url },
    body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return {
    child,
    url,
    cookie,
    built,
    rssMB: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return round1(Number(m?.[1] ?? 0) / 1024);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export interface LogEntry {
  msg: string;
  level: number;
  [key: string]: unknown;
}

export interface AgentProcess {
  child: ChildProcess;
  /** Every log line so far. */
  logs: LogEntry[];
  /** Resolves with the first log entry (past or future) whose message is `msg`. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<LogEntry>;
  /** Resolves with the exit code (null: killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts Berth in agent mode (`--hub`, optionally `--enroll`) as its own process, from the
 * sources (a stale build would test old code). Its env says which engine and folders it uses.
 */
export function startAgentProcess(opts: {
  hubUrl: string;
  enrollToken?: string;
  env: Record<string, string>;
}): AgentProcess {
  // The build when present, like startBerthProcess: a hub and an agent compared run the same code.
  const main = existsSync('dist/server/src/main.js')
    ? ['dist/server/src/main.js']
    : ['--import', 'tsx', 'server/src/main.ts'];
  const args = [...main, '--hub', opts.hubUrl];
  if (opts.enrollToken) args.push('--enroll', opts.enrollToken);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, BERTH_LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: LogEntry[] = [];
  const waiters = new Set<{ test: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }>();
  const matches = (msg: string | RegExp) => (e: LogEntry) =>
    typeof msg === 'string' ? e.msg === msg : msg.test(e.msg);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      return;
    }
    logs.push(entry);
    for (const w of [...waiters]) {
      if (w.test(entry)) {
        waiters.delete(w);
        w.resolve(entry);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    exited,
    waitForLog: (msg, timeoutMs = 60_000) => {
      const test = matches(msg);
      const seen = logs.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { test, resolve };
        waiters.add(w);
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`agent did not log "${String(msg)}" in ${timeoutMs} ms`));
        }, timeoutMs);
        void exited.then(() => {
          if (!waiters.has(w)) return;
          clearTimeout(timer);
          waiters.delete(w);
          reject(new Error(`agent exited before logging "${String(msg)}"`));
        });
        w.resolve = (e) => {
          clearTimeout(timer);
          resolve(e);
        };
      });
    },
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
