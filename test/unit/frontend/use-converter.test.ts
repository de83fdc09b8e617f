import { effectScope, nextTick } from 'vue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConvertResponse } from '../../../common/api.js';
import { ApiRequestError } from '../../../frontend/src/api/http.js';
import { useConverter, type ConverterApi } from '../../../frontend/src/composables/use-converter.js';

/** A fake server: one stack on "disk", and a converter that appends a service line. */
function fakeApi(disk: { yaml: string; etag: string }) {
  const saves: Array<{ name: string; yaml: string; etag: string }> = [];
  const creates: Array<{ name: string; yaml: string }> = [];
  const api: ConverterApi = {
    convert: vi.fn((command: string, into?: string): Promise<ConvertResponse> => {
      if (!command.includes('docker'))
        return Promise.reject(new ApiRequestError(400, 'BAD_REQUEST', 'no docker run command found'));
      const svc = `  ${command.split(' ').pop()}:\n    image: x\n`;
      return Promise.resolve({
        yaml: (into ?? 'services:\n') + svc,
        warnings: command.includes('--rm') ? ['--rm'] : [],
      });
    }),
    detail: vi.fn(() => Promise.resolve({ ...disk })),
    create: vi.fn((name: string, yaml: string) => (creates.push({ name, yaml }), Promise.resolve({}))),
    save: vi.fn((name: string, yaml: string, etag: string) => {
      if (etag !== disk.etag) return Promise.reject(new ApiRequestError(409, 'CONFLICT', 'changed'));
      saves.push({ name, yaml, etag });
      return Promise.resolve({});
    }),
  };
  return { api, saves, creates };
}

const scopes: Array<ReturnType<typeof effectScope>> = [];
function setup(api: ConverterApi) {
  const scope = effectScope();
  scopes.push(scope);
  return scope.run(() => useConverter(api, { debounceMs: 10 }))!;
}
afterEach(() => {
  scopes.splice(0).forEach((s) => s.stop());
  vi.useRealTimers();
});

describe('useConverter', () => {
  it('converts after typing stops and shows warnings; a bad command shows the server message', async () => {
    vi.useFakeTimers();
    const { api } = fakeApi({ yaml: '', etag: 'e1' });
    const c = setup(api);
    c.command.value = 'docker run --rm web';
    await nextTick();
    await vi.advanceTimersByTimeAsync(20);
    expect(c.yaml.value).toBe('services:\n  web:\n    image: x\n');
    expect(c.warnings.value).toEqual(['--rm']);
    c.command.value = 'echo hello';
    await nextTick();
    await vi.advanceTimersByTimeAsync(20);
    expect(c.error.value).toBe('no docker run command found');
    expect(c.yaml.value).toBe('');
  });

  it('ignores the answer of a conversion that a newer one overtook', async () => {
    const { api } = fakeApi({ yaml: '', etag: 'e1' });
    let release: (r: ConvertResponse) => void = () => {};
    vi.mocked(api.convert).mockImplementationOnce(() => new Promise((r) => (release = r)));
    const c = setup(api);
    c.command.value = 'docker run old';
    const slow = c.convert();
    c.command.value = 'docker run new';
    await c.convert();
    release({ yaml: 'services:\n  old:\n    image: x\n', warnings: [] });
    await slow;
    expect(c.yaml.value).toContain('new:');
    expect(c.yaml.value).not.toContain('old:');
  });

  it('adds to an existing stack against the etag the preview was merged into', async () => {
    const disk = { yaml: '# mine\nservices:\n  db:\n    image: pg\n', etag: 'e1' };
    const { api, saves } = fakeApi(disk);
    const c = setup(api);
    c.command.value = 'docker run cache';
    c.target.value = { kind: 'existing', name: 'app' };
    await c.convert();
    expect(c.yaml.value.startsWith('# mine\n')).toBe(true);
    expect(await c.apply()).toBe('app');
    expect(saves).toEqual([{ name: 'app', yaml: c.yaml.value, etag: 'e1' }]);
  });

  it('never overwrites an edit made on disk after the preview: merges again and says so', async () => {
    const disk = { yaml: 'services:\n  db:\n    image: pg\n', etag: 'e1' };
    const { api, saves } = fakeApi(disk);
    const c = setup(api);
    c.command.value = 'docker run cache';
    c.target.value = { kind: 'existing', name: 'app' };
    await c.convert();
    disk.yaml = 'services:\n  db:\n    image: pg\n  other:\n    image: y\n';
    disk.etag = 'e2';
    await expect(c.apply()).rejects.toThrow(/changed on disk/);
    expect(saves).toEqual([]);
    expect(c.yaml.value).toContain('other:');
    await c.apply();
    expect(saves.map((s) => s.etag)).toEqual(['e2']);
  });

  it('creates a new stack from the (possibly edited) preview', async () => {
    const { api, creates } = fakeApi({ yaml: '', etag: 'e1' });
    const c = setup(api);
    c.command.value = 'docker run web';
    await c.convert();
    c.yaml.value += '    restart: always\n';
    c.target.value = { kind: 'new', name: 'web' };
    expect(await c.apply()).toBe('web');
    expect(creates).toEqual([
      { name: 'web', yaml: 'services:\n  web:\n    image: x\n    restart: always\n' },
    ]);
  });
});
