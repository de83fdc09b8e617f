import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { convertRun } from '../../server/src/convert/converter.js';
import {
  caseDir,
  composeConfig,
  eachLimited,
  loadCorpus,
  warningMismatch,
  type CorpusCase,
} from '../fixtures/convert/corpus.js';
import { engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();
const corpus = loadCorpus();

interface Outcome {
  c: CorpusCase;
  problem: string | null;
}

/** Both texts through real `docker compose config`, compared as JSON (meaning, not text). */
async function check(c: CorpusCase): Promise<Outcome> {
  const { dir, cleanup } = caseDir(c);
  try {
    let produced;
    try {
      produced = convertRun(c.command);
    } catch (err) {
      return { c, problem: `the converter failed: ${(err as Error).message}` };
    }
    const [want, got] = await Promise.all([
      composeConfig(dir, 'expected.yaml', c.expected),
      composeConfig(dir, 'produced.yaml', produced.yaml),
    ]);
    if (!want.ok) return { c, problem: `compose rejects the expected YAML: ${want.error}` };
    if (!got.ok) return { c, problem: `compose rejects the produced YAML: ${got.error}\n${produced.yaml}` };
    if (!isDeepStrictEqual(want.config, got.config)) {
      return {
        c,
        problem: `different meaning.\nproduced:\n${produced.yaml}\nexpected config:\n${JSON.stringify(want.config)}\nproduced config:\n${JSON.stringify(got.config)}`,
      };
    }
    return { c, problem: warningMismatch(c.warnings, produced.warnings) };
  } finally {
    cleanup();
  }
}

describe('docker run corpus', () => {
  it('has at least 100 cases, each naming its source', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    for (const c of corpus) expect(c.source).toMatch(/\S{8,}/);
  });

  describe.runIf(hasEngine)('against real docker compose config', () => {
    it('converts every case to what compose reads as the expected YAML, with the expected warnings', async () => {
      const outcomes = await eachLimited(corpus, 3, check);
      const failed = outcomes.filter((o) => o.problem !== null);
      const report = failed.map((o) => `--- ${o.c.file} ${o.c.name}\n${o.problem}`).join('\n\n');
      expect(failed.length, `${failed.length} of ${corpus.length} cases failed:\n\n${report}`).toBe(0);
    }, 600_000);
  });
});
