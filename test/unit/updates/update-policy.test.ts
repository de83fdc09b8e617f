import { describe, expect, it } from 'vitest';
import { inWindow, newerTags, parseWindow, serviceSpecs } from '../../../server/src/updates/update-policy.js';

describe('serviceSpecs', () => {
  it('reads image, build and berth.update labels in map and list form', () => {
    const specs = serviceSpecs(
      [
        'services:',
        '  a:',
        '    image: nginx:1.27',
        '    labels:',
        '      berth.update: auto',
        "      berth.update.tags: '^1\\.\\d+$'",
        '  b:',
        '    build: .',
        '    labels: ["berth.update=off"]',
        '  c:',
        '    image: x',
        '    labels: {berth.update: sometimes}',
        '',
      ].join('\n'),
    );
    expect(specs.get('a')).toEqual({
      image: 'nginx:1.27',
      build: false,
      policy: 'auto',
      tagsPattern: '^1\\.\\d+$',
    });
    expect(specs.get('b')).toMatchObject({ image: null, build: true, policy: 'off' });
    expect(specs.get('c')).toMatchObject({
      policy: 'notify',
      problem: expect.stringContaining('"sometimes"'),
    });
  });

  it('is empty for text that does not parse', () => {
    expect(serviceSpecs('services: [').size).toBe(0);
  });
});

describe('newerTags', () => {
  const tags = ['1.0.0', '1.2.0', '1.10.1', '2.0.0-rc1', 'latest', '0.9.9', '1.2.0-alpine'];
  it('orders by the numbers in the tag, keeps only matching and newer ones', () => {
    expect(newerTags('1.2.0', tags, /^1\.\d+\.\d+$/)).toEqual(['1.10.1']);
    expect(newerTags('1.0.0', tags, /^\d+\.\d+\.\d+$/)).toEqual(['1.10.1', '1.2.0']);
  });
  it('lists the highest matching tags when the current tag has no numbers', () => {
    expect(newerTags('latest', tags, /^1\./, 2)).toEqual(['1.10.1', '1.2.0-alpine']);
  });
});

describe('update window', () => {
  it('parses HH:MM-HH:MM and handles windows across midnight', () => {
    const w = parseWindow('23:30-04:00');
    expect(w).toEqual({ start: 1410, end: 240 });
    if (!w) return;
    expect(inWindow(w, new Date(2026, 0, 1, 23, 45))).toBe(true);
    expect(inWindow(w, new Date(2026, 0, 1, 3, 59))).toBe(true);
    expect(inWindow(w, new Date(2026, 0, 1, 4, 0))).toBe(false);
    expect(inWindow({ start: 120, end: 300 }, new Date(2026, 0, 1, 2, 0))).toBe(true);
    expect(parseWindow('25:00-01:00')).toBeNull();
    expect(parseWindow('2-5')).toBeNull();
  });
});
