import Docker from 'dockerode';

export interface EngineVersion {
  version: string;
  apiVersion: string;
}

/** The slice of the Docker Engine API Berth uses; faked in unit tests. */
export interface EngineClient {
  /** Resolves with the engine's version, rejects when the engine cannot be reached. */
  version(): Promise<EngineVersion>;
}

/** dockerode honours DOCKER_HOST (unix socket or tcp) the same way the docker CLI does. */
export class DockerEngineClient implements EngineClient {
  private readonly docker: Docker;

  constructor(options: Docker.DockerOptions = {}) {
    this.docker = new Docker({ timeout: 5000, ...options });
  }

  async version(): Promise<EngineVersion> {
    const v = await this.docker.version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  }
}
