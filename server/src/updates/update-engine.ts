import Docker from 'dockerode';
import { PROJECT_LABEL } from '../engine/engine-client.js';

/** A container of a compose project, as the updater sees it. */
export interface UpdateContainer {
  id: string;
  service: string;
  /** Image id (`sha256:...`) the container was created from. */
  imageId: string;
  /** The reference it was created with (`127.0.0.1:5000/app:latest`). */
  imageRef: string;
  state: string;
  /** starting | healthy | unhealthy, or null without a healthcheck. */
  health: string | null;
  exitCode: number;
  startedAt: string;
  labels: Record<string, string>;
}

export interface LocalImage {
  id: string;
  repoDigests: string[];
  os: string;
  architecture: string;
  variant?: string;
}

/** The slice of the Docker Engine API the update checker and updater use; faked in unit tests. */
export interface UpdateEngine {
  /** The project's service containers (one-off `run` containers left out). */
  containers(project: string): Promise<UpdateContainer[]>;
  container(id: string): Promise<UpdateContainer | null>;
  /** null when no such image exists locally. */
  image(refOrId: string): Promise<LocalImage | null>;
  /** The last lines of a container's output (stdout and stderr). */
  logs(id: string, tail: number): Promise<string>;
}

/** Docker's multiplexed log stream: 8-byte headers before each frame. */
function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    if (type !== 0 && type !== 1 && type !== 2) return buf.toString('utf8');
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}

export class DockerUpdateEngine implements UpdateEngine {
  private readonly docker: Docker;

  constructor(options: Docker.DockerOptions = {}) {
    this.docker = new Docker({ timeout: 15_000, ...options });
  }

  async containers(project: string): Promise<UpdateContainer[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`${PROJECT_LABEL}=${project}`] },
    });
    const out: UpdateContainer[] = [];
    for (const c of list) {
      if (c.Labels['com.docker.compose.oneoff'] === 'True') continue;
      const info = await this.container(c.Id);
      if (info) out.push(info);
    }
    return out.sort((a, b) => a.service.localeCompare(b.service));
  }

  async container(id: string): Promise<UpdateContainer | null> {
    try {
      const c = await this.docker.getContainer(id).inspect();
      const labels = c.Config.Labels ?? {};
      return {
        id: c.Id,
        service: labels['com.docker.compose.service'] ?? '',
        imageId: c.Image,
        imageRef: c.Config.Image,
        state: c.State.Status,
        health: c.State.Health?.Status ?? null,
        exitCode: c.State.ExitCode,
        startedAt: c.State.StartedAt,
        labels,
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }

  async image(refOrId: string): Promise<LocalImage | null> {
    try {
      const i = await this.docker.getImage(refOrId).inspect();
      const variant = (i as { Variant?: string }).Variant;
      return {
        id: i.Id,
        repoDigests: i.RepoDigests ?? [],
        os: i.Os,
        architecture: i.Architecture,
        ...(variant ? { variant } : {}),
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }

  async logs(id: string, tail: number): Promise<string> {
    try {
      const buf = (await this.docker
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demux(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    } catch {
      return '';
    }
  }
}
