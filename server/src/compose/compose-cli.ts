import { runFile } from './process.js';

/** What Berth needs to know about the docker compose CLI itself. */
export interface ComposeCli {
  /** `docker compose version --short`, or null when compose v2 is not installed. */
  version(): Promise<string | null>;
}

export class DockerComposeCli implements ComposeCli {
  private cached: { value: string | null; at: number } | undefined;

  constructor(
    private readonly dockerBin = 'docker',
    // A found version is stable; a missing plugin is re-checked soon so installing it is noticed.
    private readonly ttlFoundMs = 10 * 60_000,
    private readonly ttlMissingMs = 10_000,
  ) {}

  async version(): Promise<string | null> {
    const now = Date.now();
    if (this.cached) {
      const ttl = this.cached.value === null ? this.ttlMissingMs : this.ttlFoundMs;
      if (now - this.cached.at < ttl) return this.cached.value;
    }
    let value: string | null = null;
    try {
      const r = await runFile(this.dockerBin, ['compose', 'version', '--short'], { timeoutMs: 10_000 });
      const out = r.stdout.trim();
      if (r.exitCode === 0 && /^v?\d+\.\d+/.test(out)) value = out.replace(/^v/, '');
    } catch {
      value = null;
    }
    this.cached = { value, at: now };
    return value;
  }
}
