import { describe, expect, it } from 'vitest';
import { preflight, targetOf } from '../../../server/src/swarm/preflight.js';
import { forStackDeploy } from '../../../server/src/swarm/render.js';

const brief = (yaml: string) =>
  preflight(yaml).map((f) => `${f.line}:${f.column} ${f.severity} ${f.code} ${f.service ?? ''}`);

describe('swarm target', () => {
  it('is swarm only for x-berth.target: swarm at the top level', () => {
    expect(targetOf('x-berth:\n  target: swarm\nservices: {}\n')).toBe('swarm');
    expect(targetOf('x-berth: {target: swarm}\n')).toBe('swarm');
    expect(targetOf('x-berth: {target: compose}\n')).toBe('compose');
    expect(targetOf('services:\n  a:\n    x-berth: {target: swarm}\n')).toBe('compose');
    expect(targetOf('services: [\n')).toBe('compose');
    expect(targetOf('')).toBe('compose');
  });
});

describe('swarm preflight', () => {
  it('flags every ignored or broken key with its line and column', () => {
    const yaml = [
      'x-berth: {target: swarm}', // 1
      'services:', // 2
      '  web:', // 3
      '    build: .', // 4
      '    container_name: web', // 5
      '    depends_on: [db]', // 6
      '    restart: always', // 7
      '    privileged: true', // 8
      '    devices: ["/dev/fuse"]', // 9
      '    volumes:', // 10
      '      - ./html:/usr/share/html', // 11
      '      - /srv/abs:/abs', // 12
      '      - named:/data', // 13
      '      - type: bind', // 14
      '        source: ../up', // 15
      '        target: /up', // 16
      '    ports:', // 17
      '      - "127.0.0.1:8080:80"', // 18
      '      - "8081:81"', // 19
      '      - target: 82', // 20
      '        host_ip: 10.0.0.1', // 21
      '  db:', // 22
      '    image: db', // 23
      '    privileged: false', // 24
      '    build: ./db', // 25
    ].join('\n');
    expect(brief(yaml)).toEqual([
      '4:5 error build web',
      '5:5 warning container_name web',
      '6:5 warning depends_on web',
      '7:5 warning restart web',
      '8:5 warning privileged web',
      '9:5 warning devices web',
      '11:9 warning relative_bind web',
      '15:17 warning relative_bind web',
      '18:9 warning host_ip_port web',
      '21:18 warning host_ip_port web',
      '25:5 warning build db',
    ]);
  });

  it('a compose-target file is an error; broken YAML is one error at its place', () => {
    expect(brief('services:\n  a:\n    image: x\n')).toEqual(['1:1 error not_swarm_target ']);
    const broken = preflight('x-berth: {target: swarm}\nservices:\n  a: [\n');
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ severity: 'error', code: 'yaml' });
  });

  it('a clean swarm file has no findings', () => {
    expect(
      preflight(
        'x-berth: {target: swarm}\nservices:\n  a:\n    image: x\n    deploy:\n      restart_policy: {condition: any}\n',
      ),
    ).toEqual([]);
  });
});

describe('rendered file for stack deploy', () => {
  it('drops name and host_ip, makes published ports numbers and drops create_host_path', () => {
    const out = forStackDeploy(
      [
        'name: demo',
        'services:',
        '  web:',
        '    image: x',
        '    environment:',
        '      A: $${B}',
        '    ports:',
        '      - mode: ingress',
        '        host_ip: 127.0.0.1',
        '        target: 80',
        '        published: "8080"',
        '        protocol: tcp',
        '    volumes:',
        '      - type: bind',
        '        source: /srv/a',
        '        target: /a',
        '        bind:',
        '          create_host_path: true',
        'x-berth:',
        '  target: swarm',
        '',
      ].join('\n'),
    );
    expect(out).not.toContain('name: demo');
    expect(out).not.toContain('host_ip');
    expect(out).toContain('published: 8080\n');
    expect(out).not.toContain('create_host_path');
    expect(out).not.toContain('bind:');
    expect(out).toContain('A: $${B}');
    expect(out).toContain('x-berth:');
  });
});
