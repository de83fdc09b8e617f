import { describe, expect, it } from 'vitest';
import {
  parseCommand,
  type GivenOption,
  type ParsedCommand,
} from '../../../server/src/convert/run-parser.js';
import { readShell } from '../../../server/src/convert/shell-words.js';
import { WordExpander } from '../../../server/src/convert/word-expander.js';

function parseAll(text: string): { parsed: ParsedCommand[]; x: WordExpander } {
  const x = new WordExpander();
  return { parsed: readShell(text).commands.map((c) => parseCommand(c, x)), x };
}

/** The one run command of the text, options as `name=value` / `name` / `!name` strings. */
function run(text: string): { options: string[]; image: string; args: string[]; tool: string; sub: string } {
  const { parsed, x } = parseAll(text);
  const r = parsed.find((p) => p.kind === 'run');
  if (r?.kind !== 'run') throw new Error('no run command');
  const show = (o: GivenOption) =>
    o.kind === 'flag' ? `${o.on ? '' : '!'}${o.name}` : `${o.name}=${o.word ? x.plain(o.word) : ''}`;
  return {
    options: r.run.options.map(show),
    image: x.plain(r.run.image),
    args: r.run.args.map((w) => x.plain(w)),
    tool: r.run.tool,
    sub: r.run.subcommand,
  };
}

describe('parseCommand', () => {
  it('reads --opt value, --opt=value, short options and the image', () => {
    expect(
      run('docker run --name web -p 80:80 --env=A=1 -v data:/data nginx:1.27 nginx -g "daemon off;"'),
    ).toEqual({
      options: ['name=web', 'publish=80:80', 'env=A=1', 'volume=data:/data'],
      image: 'nginx:1.27',
      args: ['nginx', '-g', 'daemon off;'],
      tool: 'docker',
      sub: 'run',
    });
  });

  it('splits combined short flags; a value option takes the rest of the word or the next one', () => {
    expect(run('docker run -dit -p8080:80 -ve=1 -dp 1:1 x').options).toEqual([
      'detach',
      'interactive',
      'tty',
      'publish=8080:80',
      'volume=e=1',
      'detach',
      'publish=1:1',
    ]);
  });

  it('reads --flag=false, -t=false and -e=value as pflag does', () => {
    expect(run('docker run --rm=false --init=true -t=false -e=A=1 --privileged=0 x').options).toEqual([
      '!rm',
      'init',
      '!tty',
      'env=A=1',
      '!privileged',
    ]);
  });

  it('takes a value option’s next word even when it starts with a dash', () => {
    expect(run('docker run --entrypoint -x --name -y img').options).toEqual(['entrypoint=-x', 'name=-y']);
  });

  it('stops options at the image: later dashes belong to the command', () => {
    const r = run('docker run -d redis redis-server --save 60 -p 1');
    expect(r.options).toEqual(['detach']);
    expect(r.args).toEqual(['redis-server', '--save', '60', '-p', '1']);
  });

  it('stops options at `--`', () => {
    expect(run('docker run -d -- -weird-image arg')).toMatchObject({ image: '-weird-image', args: ['arg'] });
  });

  it('knows aliases: --net, --net-alias, --dns-opt', () => {
    expect(run('docker run --net host --net-alias a --dns-opt ndots:1 x').options).toEqual([
      'network=host',
      'network-alias=a',
      'dns-option=ndots:1',
    ]);
  });

  it('records unknown options without swallowing the image', () => {
    expect(run('docker run --frobnicate --wat=1 -Z nginx')).toMatchObject({
      options: ['frobnicate=', 'wat=1', 'Z='],
      image: 'nginx',
    });
  });

  it('accepts sudo (with options), env, prompts, podman, nerdctl, container run/create, paths to docker', () => {
    expect(run('sudo -E -u root docker run x').image).toBe('x');
    expect(run('$ sudo docker container run y')).toMatchObject({ image: 'y', sub: 'run' });
    expect(run('env A=1 docker create z')).toMatchObject({ image: 'z', sub: 'create' });
    expect(run('podman run --pod p w')).toMatchObject({ tool: 'podman', image: 'w', options: ['pod=p'] });
    expect(run('nerdctl container create v').tool).toBe('nerdctl');
    expect(run('/usr/bin/docker run u').image).toBe('u');
    expect(run('docker --context remote -D run t').image).toBe('t');
  });

  it('keeps prefix assignments as the docker CLI environment and earlier ones as shell variables', () => {
    const { parsed, x } = parseAll('A=one\nexport B=two\nC=three docker run -e C img $A');
    expect(parsed.map((p) => p.kind)).toEqual(['assignment', 'assignment', 'run']);
    const r = parsed[2];
    if (r?.kind !== 'run') throw new Error('no run');
    expect(x.plain(r.run.args[0] ?? { parts: [], line: 0 })).toBe('one');
    expect(x.compose(r.run.env.get('C') ?? [])).toBe('three');
    expect(x.exported.has('B')).toBe(true);
    expect(x.exported.has('A')).toBe(false);
  });

  it('expands a variable as it was when the command ran, not after a later assignment', () => {
    const { parsed, x } = parseAll('V=1\ndocker run img:$V\nV=2');
    const r = parsed[1];
    if (r?.kind !== 'run') throw new Error('no run');
    expect(x.compose(r.run.image)).toBe('img:1');
  });

  it('reads docker network/volume create with their options', () => {
    const { parsed } = parseAll(
      'docker network create -d bridge --subnet 10.1.0.0/16 --internal backend\ndocker volume create --opt type=nfs data',
    );
    expect(
      parsed.map((p) => (p.kind === 'resource' ? `${p.resource.kind}:${p.resource.name}` : p.kind)),
    ).toEqual(['network:backend', 'volume:data']);
  });

  it('marks other commands (pulls too, so they are noted), quietly for empty prompts', () => {
    const { parsed } = parseAll('docker pull nginx\nmkdir -p /srv\n$\ndocker ps');
    expect(parsed.map((p) => (p.kind === 'other' ? `${p.quiet}` : p.kind))).toEqual([
      'false',
      'false',
      'true',
      'false',
    ]);
  });

  it('treats a run with no image as no run command', () => {
    expect(parseAll('docker run -d --name x').parsed[0]?.kind).toBe('other');
  });
});
