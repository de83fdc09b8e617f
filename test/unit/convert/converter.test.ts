import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { convertRun, imageBaseName, serviceNameFrom } from '../../../server/src/convert/converter.js';

type Doc = {
  services: Record<string, Record<string, unknown>>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
};

function convert(command: string, into?: string): { doc: Doc; yaml: string; warnings: string[] } {
  const r = convertRun(command, into);
  return { doc: parse(r.yaml) as Doc, yaml: r.yaml, warnings: r.warnings };
}

/** The only service of a one-command conversion. */
function service(command: string): Record<string, unknown> {
  const services = Object.values(convert(command).doc.services);
  expect(services).toHaveLength(1);
  return services[0] as Record<string, unknown>;
}

describe('convertRun: the YAML', () => {
  it('is two-space indented, has no version or name line, quotes ports and ends with a newline', () => {
    const { yaml } = convert('docker run -d --name web -p 8080:80 --restart no -e A=yes nginx');
    expect(yaml).toBe(
      [
        'services:',
        '  web:',
        '    image: nginx',
        '    container_name: web',
        '    restart: "no"',
        '    ports:',
        '      - "8080:80"',
        '    environment:',
        '      A: "yes"',
        '',
      ].join('\n'),
    );
  });

  it('writes commands, entrypoints and health tests on one line when short', () => {
    const { yaml } = convert(`docker run --entrypoint /bin/sh --health-cmd 'true' alpine -c 'echo hi'`);
    expect(yaml).toContain('    entrypoint: ["/bin/sh"]\n');
    expect(yaml).toContain('    command: ["-c", "echo hi"]\n');
    expect(yaml).toContain('      test: ["CMD-SHELL", "true"]\n');
  });
});

describe('convertRun: service names', () => {
  it('derives them from --name or the image, valid and unique', () => {
    expect(serviceNameFrom('My.App_1')).toBe('my-app_1');
    expect(serviceNameFrom('$$$')).toBe('service');
    expect(imageBaseName('lscr.io/linuxserver/plex:latest@sha256:abc')).toBe('plex');
    expect(imageBaseName('localhost:5000/team/api:1.2')).toBe('api');
    const { doc } = convert('docker run nginx\ndocker run nginx:alpine\ndocker run --name nginx httpd');
    expect(Object.keys(doc.services)).toEqual(['nginx', 'nginx-2', 'nginx-3']);
  });

  it('warns when one container name is given twice', () => {
    const { warnings } = convert('docker run --name a nginx\ndocker run --name a redis');
    expect(warnings).toEqual(['a-2: container name `a` is given twice; compose will refuse to create both']);
  });
});

describe('convertRun: option mapping', () => {
  it('maps environment, passthrough and labels', () => {
    const { doc, warnings } = convert('docker run -e A=1 -e B -e C= -l x=y -l flag --label-file ./l img');
    expect(doc.services.img).toMatchObject({
      environment: { A: '1', B: null, C: '' },
      labels: { x: 'y', flag: '' },
      label_file: ['./l'],
    });
    expect(warnings).toEqual([
      "`-e B` takes B from the environment: compose reads it from the stack's .env or the environment it runs in",
    ]);
  });

  it('declares named volumes at the top level, compose-managed, and leaves paths alone', () => {
    const { doc } = convert('docker run -v data:/data -v /srv:/srv:ro -v ./rel:/rel -v /anon -v ~/h:/h img');
    expect(doc.services.img?.volumes).toEqual([
      'data:/data',
      '/srv:/srv:ro',
      './rel:/rel',
      '/anon',
      '~/h:/h',
    ]);
    expect(doc.volumes).toEqual({ data: null });
  });

  it('maps --mount to the long syntax with its options', () => {
    const s = service(
      'docker run --mount type=bind,src=/a,dst=/b,ro,bind-propagation=rshared --mount type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=700 --mount source=v,target=/v,volume-nocopy=true img',
    );
    expect(s.volumes).toEqual([
      { type: 'bind', source: '/a', target: '/b', read_only: true, bind: { propagation: 'rshared' } },
      { type: 'tmpfs', target: '/t', tmpfs: { size: '64m', mode: 0o700 } },
      { type: 'volume', source: 'v', target: '/v', volume: { nocopy: true } },
    ]);
  });

  it('maps networks: user-defined ones external unless created in the paste, modes as network_mode', () => {
    const external = convert('docker run --network web --network-alias api --ip 10.0.0.2 img');
    expect(external.doc.services.img?.networks).toEqual({
      web: { aliases: ['api'], ipv4_address: '10.0.0.2' },
    });
    expect(external.doc.networks).toEqual({ web: { external: true } });
    expect(external.warnings).toEqual([
      'network `web` is declared external: it must exist before `up` (`docker network create web`)',
    ]);
    const created = convert('docker network create --attachable web\ndocker run --network=web img');
    expect(created.doc.networks).toEqual({ web: { attachable: true } });
    expect(created.warnings).toEqual([]);
    expect(service('docker run --net=host img').network_mode).toBe('host');
    expect(service('docker run --network bridge img').network_mode).toBe('bridge');
  });

  it('points container: references to services of the same paste', () => {
    const { doc } = convert(
      'docker run -d --name db postgres\ndocker run --network container:db --pid container:db --volumes-from db:ro --link db:database --link other img',
    );
    expect(doc.services.img).toMatchObject({
      network_mode: 'service:db',
      pid: 'service:db',
      volumes_from: ['db:ro'],
      links: ['db:database'],
      external_links: ['other'],
    });
  });

  it('maps limits, ulimits, sysctls, devices and the rest of the engine options', () => {
    const s = service(
      'docker run -m 512m --memory-swap=-1 --cpus 1.5 -c 512 --pids-limit 100 --ulimit nofile=1024:2048 --ulimit nproc=64 --sysctl net.core.somaxconn=1024 --device /dev/dri --cap-add NET_ADMIN --cap-drop ALL --security-opt no-new-privileges --shm-size 1g --tmpfs /run --read-only --privileged --init --stop-timeout 5 --stop-signal SIGTERM --user 1000:1000 -w /app -h box --add-host a:1.2.3.4 --dns 1.1.1.1 --log-driver local --log-opt max-size=5m --platform linux/amd64 --pull always --runtime runc --group-add 44 img',
    );
    expect(s).toMatchObject({
      mem_limit: '512m',
      memswap_limit: -1,
      cpus: 1.5,
      cpu_shares: 512,
      pids_limit: 100,
      ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 64 },
      sysctls: { 'net.core.somaxconn': '1024' },
      devices: ['/dev/dri'],
      cap_add: ['NET_ADMIN'],
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges'],
      shm_size: '1g',
      tmpfs: ['/run'],
      read_only: true,
      privileged: true,
      init: true,
      stop_grace_period: '5s',
      stop_signal: 'SIGTERM',
      user: '1000:1000',
      working_dir: '/app',
      hostname: 'box',
      extra_hosts: ['a:1.2.3.4'],
      dns: ['1.1.1.1'],
      logging: { driver: 'local', options: { 'max-size': '5m' } },
      platform: 'linux/amd64',
      pull_policy: 'always',
      runtime: 'runc',
      group_add: ['44'],
    });
  });

  it('maps healthchecks, and --no-healthcheck to disable', () => {
    expect(
      service('docker run --health-cmd "curl -f x || exit 1" --health-retries 3 --health-interval 5s img'),
    ).toMatchObject({
      healthcheck: { test: ['CMD-SHELL', 'curl -f x || exit 1'], retries: 3, interval: '5s' },
    });
    expect(service('docker run --no-healthcheck img').healthcheck).toEqual({ disable: true });
  });

  it('maps --gpus forms to device reservations', () => {
    const devices = (cmd: string) =>
      (service(cmd).deploy as { resources: { reservations: { devices: unknown[] } } }).resources.reservations
        .devices;
    expect(devices('docker run --gpus all img')).toEqual([
      { driver: 'nvidia', count: 'all', capabilities: ['gpu'] },
    ]);
    expect(devices('docker run --gpus 2 img')).toEqual([
      { driver: 'nvidia', count: 2, capabilities: ['gpu'] },
    ]);
    expect(devices(`docker run --gpus '"device=0,1"' img`)).toEqual([
      { driver: 'nvidia', device_ids: ['0', '1'], capabilities: ['gpu'] },
    ]);
    expect(devices(`docker run --gpus 'count=1,"capabilities=compute,video"' img`)).toEqual([
      { driver: 'nvidia', count: 1, capabilities: ['compute', 'video', 'gpu'] },
    ]);
  });

  it('names each option compose cannot express, and stays quiet about -d', () => {
    const { warnings } = convert(
      'docker run -d --rm -a stdout --detach-keys ctrl-x --sig-proxy=false --cidfile /x -P --use-api-socket --kernel-memory 1m -q img',
    );
    for (const opt of [
      '--rm',
      '-a',
      '--detach-keys',
      '--sig-proxy=false',
      '--cidfile',
      '-P',
      '--use-api-socket',
      '--kernel-memory',
    ]) {
      expect(
        warnings.some((w) => w.startsWith(`\`${opt}\` cannot be expressed in compose`)),
        opt,
      ).toBe(true);
    }
    expect(warnings).toHaveLength(8);
  });

  it('keeps the whole --entrypoint as one program and says so when it holds spaces', () => {
    const { doc, warnings } = convert('docker run --entrypoint "/bin/sh -c" img "echo hi"');
    expect(doc.services.img).toMatchObject({ entrypoint: ['/bin/sh -c'], command: ['echo hi'] });
    expect(warnings[0]).toMatch(/one program path/);
  });

  it('escapes literal dollars everywhere and reports variables once per service', () => {
    const { doc, warnings } = convert(
      `docker run -e 'P=a$b' -e Q="$HOME/x" --label 'l=$1' img sh -c 'echo $PATH'`,
    );
    expect(doc.services.img).toMatchObject({
      environment: { P: 'a$$b', Q: '${HOME}/x' },
      labels: { l: '$$1' },
      command: ['sh', '-c', 'echo $$PATH'],
    });
    expect(warnings).toEqual([
      "`$HOME` left for compose to fill in from the stack's .env file or environment (the shell would have expanded it)",
    ]);
  });
});

describe('convertRun: errors and skipped text', () => {
  it('refuses text without a run command', () => {
    expect(() => convertRun('echo hello\n# docker run nginx')).toThrow(
      /no docker run command found \(found `echo hello`\)/,
    );
    expect(() => convertRun('   \n')).toThrow(/no docker run command found:/);
  });

  it('warns about commands it skips', () => {
    expect(convert('mkdir -p /srv && docker run nginx').warnings).toEqual([
      'line 1: skipped `mkdir -p /srv`: not a docker run command',
    ]);
  });
});

describe('convertRun into an existing file', () => {
  const into =
    '# top\nservices:\n  web:\n    image: nginx # keep\nvolumes:\n  data:\nnetworks:\n  proxy:\n    external: true\n';

  it('adds services after the existing ones, keeps comments and shares declared volumes', () => {
    const { yaml, doc, warnings } = convert(
      'docker run --name web -v data:/d -v logs:/l --network proxy httpd',
      into,
    );
    expect(yaml.startsWith('# top\nservices:\n  web:\n    image: nginx # keep\n  web-2:\n')).toBe(true);
    expect(doc.services['web-2']).toMatchObject({
      image: 'httpd',
      container_name: 'web',
      networks: ['proxy'],
    });
    expect(doc.volumes).toEqual({ data: null, logs: null });
    expect(doc.networks).toEqual({ proxy: { external: true } });
    expect(warnings).toContain('service `web` already exists; added as `web-2`');
    expect(warnings).toContain('volume `data` was already declared; it is shared');
  });

  it('renames every clash, and references follow the new names', () => {
    const { doc } = convert('docker run --name web nginx\ndocker run --network container:web busybox', into);
    expect(Object.keys(doc.services)).toEqual(['web', 'web-2', 'busybox']);
    expect(doc.services.busybox?.network_mode).toBe('service:web-2');
  });

  it('starts a mapping for a file without services', () => {
    expect(convert('docker run redis', 'name: shop\n').yaml).toBe(
      'name: shop\nservices:\n  redis:\n    image: redis\n',
    );
  });

  it('refuses texts that are not a compose mapping', () => {
    expect(() => convertRun('docker run redis', 'a: [1\n')).toThrow(/not valid YAML/);
    expect(() => convertRun('docker run redis', 'just text\n')).toThrow(/not a mapping/);
    expect(() => convertRun('docker run redis', 'services:\n  - a\n')).toThrow(/`services` .* not a mapping/);
    expect(() => convertRun('docker run redis', 'volumes: 3\n')).toThrow(/`volumes` .* not a mapping/);
  });
});
