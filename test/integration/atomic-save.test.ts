import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/factories.js';

describe('a process killed in the middle of a save', () => {
  it('never leaves a truncated compose file', async () => {
    const t = tempDir();
    const file = path.join(t.dir, 'compose.yaml');
    const original = 'o'.repeat(4 << 20);
    writeFileSync(file, original);
    const seen = new Set<string>();
    try {
      for (let round = 0; round < 12; round++) {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/save-loop.ts', file], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        // Wait for 1 to 3 finished saves (a busy machine is slow, never skipped), then kill at
        // varying points of the next write/fsync/rename cycle.
        const saves = 1 + (round % 3);
        let done = 0;
        await new Promise<void>((resolve) =>
          child.stdout.on('data', (chunk: Buffer) => {
            done += (chunk.toString().match(/^saved /gm) ?? []).length;
            if (done >= saves) resolve();
          }),
        );
        await new Promise((r) => setTimeout(r, round * 3));
        child.kill('SIGKILL');
        await once(child, 'exit');
        const content = readFileSync(file, 'utf8');
        const kind = content[0] ?? '';
        expect(content.length).toBe(4 << 20);
        expect(content).toBe(kind.repeat(4 << 20));
        seen.add(kind);
      }
      // Left-over temp files are dot files that compose and the watcher ignore.
      for (const f of readdirSync(t.dir))
        expect(f === 'compose.yaml' || f.startsWith('.compose.yaml.')).toBe(true);
      expect(seen.size).toBeGreaterThan(1);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});
