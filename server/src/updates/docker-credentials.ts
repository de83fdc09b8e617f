import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Where registry credentials come from; faked in unit tests. */
export interface CredentialSource {
  /** Credentials for a registry host as written in an image reference (`docker.io`, `ghcr.io`). */
  get(registry: string): Promise<BasicCredentials | null>;
}

const ConfigFile = z
  .object({
    auths: z
      .record(
        z.string(),
        z
          .object({
            auth: z.string().optional(),
            username: z.string().optional(),
            password: z.string().optional(),
          })
          .loose(),
      )
      .optional(),
    credsStore: z.string().optional(),
    credHelpers: z.record(z.string(), z.string()).optional(),
  })
  .loose();
type ConfigFile = z.infer<typeof ConfigFile>;

const HelperReply = z.object({ Username: z.string(), Secret: z.string() }).loose();
const HELPER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Docker Hub's credentials are stored under its old index URL. */
const hubKeys = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** Runs `docker-credential-<name> get` with argv and the server on stdin (the helper protocol). */
export function runCredentialHelper(
  name: string,
  server: string,
  timeoutMs = 10_000,
): Promise<BasicCredentials | null> {
  if (!HELPER_NAME.test(name)) return Promise.resolve(null);
  return new Promise((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn(`docker-credential-${name}`, ['get'], { stdio: ['pipe', 'pipe', 'ignore'] });
    } catch {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return resolve(null);
      try {
        const r = HelperReply.parse(JSON.parse(out));
        // `<token>` marks an identity (refresh) token, which Berth does not exchange.
        resolve(r.Username && r.Username !== '<token>' ? { username: r.Username, password: r.Secret } : null);
      } catch {
        resolve(null);
      }
    });
    child.stdin.end(server);
  });
}

/**
 * Reads the host's Docker client config (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`) on every lookup miss of a short cache, so a `docker login` is seen.
 * Order per registry: `credHelpers[host]`, then `credsStore`, then `auths`.
 */
export class DockerConfigCredentials implements CredentialSource {
  private cache: { at: number; config: ConfigFile | null } | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly helper: typeof runCredentialHelper = runCredentialHelper,
    private readonly ttlMs = 30_000,
  ) {}

  get file(): string {
    const dir = this.env.DOCKER_CONFIG || path.join(this.env.HOME || homedir(), '.docker');
    return path.join(dir, 'config.json');
  }

  private async config(): Promise<ConfigFile | null> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.config;
    let config: ConfigFile | null = null;
    try {
      const parsed = ConfigFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      config = parsed.success ? parsed.data : null;
    } catch {
      config = null;
    }
    this.cache = { at: Date.now(), config };
    return config;
  }

  async get(registry: string): Promise<BasicCredentials | null> {
    const config = await this.config();
    if (!config) return null;
    const isHub = registry === 'docker.io';
    const keys = isHub ? hubKeys : [registry];
    const helperName = keys.map((k) => config.credHelpers?.[k]).find(Boolean) ?? config.credsStore;
    if (helperName) {
      const server = isHub ? 'https://index.docker.io/v1/' : registry;
      const fromHelper = await this.helper(helperName, server);
      if (fromHelper) return fromHelper;
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      const host = hostOf(key);
      if (!(isHub ? hubKeys.includes(key) || hubKeys.includes(host) : host === registry)) continue;
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
      if (entry.auth) {
        const text = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = text.indexOf(':');
        if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
      }
    }
    return null;
  }
}
