import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { round } from './stats.js';

export interface BerthProcess {
  child: ChildProcess;
  url: string;
  cookie: string;
  built: boolean;
  rssMB(): number;
  stop(): Promise<void>;
}

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
      return round(Number(m?.[1] ?? 0) / 1024, 1);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
