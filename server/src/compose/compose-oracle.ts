import { stackChildEnv } from '../lib/child-env.js';
import { runFile } from './process.js';

/** What `docker compose config` says of a stack folder as it is on disk. */
export interface ComposeVerdict {
  valid: boolean;
  /** compose's error text (warnings dropped), empty when valid. */
  message: string;
  /** compose's warnings, one per line, without the log decoration. */
  warnings: string[];
}

/** Asks compose itself; null when compose cannot be run at all (the caller decides what that means). */
export interface ComposeOracle {
  check(dir: string, project: string): Promise<ComposeVerdict | null>;
}

const LOG_LINE = /^time="[^"]*" level=(\w+) msg="((?:[^"\\]|\\.)*)"$/;

export class DockerComposeOracle implements ComposeOracle {
  constructor(private readonly dockerBin = 'docker') {}

  async check(dir: string, project: string): Promise<ComposeVerdict | null> {
    let r;
    try {
      r = await runFile(this.dockerBin, ['compose', '-p', project, 'config', '-q'], {
        cwd: dir,
        // As for actions: the allow-list, and the stack's .env wins.
        env: await stackChildEnv(dir),
        timeoutMs: 30_000,
      });
    } catch {
      return null;
    }
    const warnings: string[] = [];
    const errors: string[] = [];
    for (const line of `${r.stderr}\n${r.stdout}`.split('\n')) {
      if (!line.trim()) continue;
      const m = LOG_LINE.exec(line);
      if (m?.[1] === 'warning') warnings.push(m[2]?.replace(/\\"/g, '"') ?? line);
      else errors.push(m?.[2]?.replace(/\\"/g, '"') ?? line);
    }
    // "docker: 'compose' is not a docker command" and the like: compose is missing, not the file wrong.
    if (r.exitCode !== 0 && /is not a docker command|unknown command/i.test(errors.join('\n'))) return null;
    return { valid: r.exitCode === 0, message: r.exitCode === 0 ? '' : errors.join('\n'), warnings };
  }
}
