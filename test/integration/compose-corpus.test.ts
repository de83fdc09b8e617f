import { describe, expect, it } from 'vitest';
import { validateCompose } from '../../server/src/validate/compose-validator.js';
import { parseDotEnv } from '../../server/src/validate/interpolation.js';
import { eachLimited } from '../fixtures/convert/corpus.js';
import {
  caseFolder,
  composeVerdict,
  existsIn,
  loadCases,
  loadEntries,
  oracleEnv,
  type CorpusCase,
} from '../fixtures/compose-corpus/corpus.js';
import { engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();
const cases = loadCases();
const project = `val-${process.pid}-corpus`;

interface Outcome {
  c: CorpusCase;
  compose: { valid: boolean; message: string };
  berth: { valid: boolean; errors: string[] };
}

async function judge(c: CorpusCase): Promise<Outcome> {
  const { dir, cleanup } = caseFolder(c);
  try {
    const env = new Map(Object.entries(oracleEnv(dir)));
    for (const [k, v] of parseDotEnv(c.files['.env'] ?? '', env)) env.set(k, v);
    const { problems } = validateCompose(c.compose, { env, exists: existsIn(dir) });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.line}:${p.column} ${p.message}`);
    return { c, compose: await composeVerdict(dir, project), berth: { valid: errors.length === 0, errors } };
  } finally {
    cleanup();
  }
}

describe('validation corpus (real compose files and mutations)', () => {
  it('holds real files, each with its source and licence, and many mutations', () => {
    const entries = loadEntries();
    expect(entries.length).toBeGreaterThanOrEqual(15);
    for (const e of entries) expect(e.licence).toMatch(/\S/);
    expect(cases.length).toBeGreaterThanOrEqual(240);
    expect(new Set(cases.map((c) => c.id.split('+')[1])).size).toBeGreaterThan(40);
  });

  describe.runIf(hasEngine)('against real docker compose config', () => {
    it("Berth's verdict agrees with compose's on every file and mutation", async () => {
      const outcomes = await eachLimited(cases, 3, judge);
      const disagree = outcomes.filter((o) => o.compose.valid !== o.berth.valid);
      const report = disagree
        .map(
          (o) =>
            `--- ${o.c.id}: compose ${o.compose.valid ? 'accepts' : `refuses (${o.compose.message})`}, Berth ${o.berth.valid ? 'accepts' : `refuses: ${o.berth.errors.join('; ')}`}`,
        )
        .join('\n');
      const invalid = outcomes.filter((o) => !o.compose.valid).length;
      // The counts go to the report: how many cases, how many compose refuses.
      process.stdout.write(
        `compose corpus: ${outcomes.length} cases, ${invalid} refused by compose, ${disagree.length} disagreements\n`,
      );
      expect(disagree.length, `${disagree.length} of ${outcomes.length} verdicts differ:\n${report}`).toBe(0);
      // Every mutation does what it was written to do, so the corpus really covers both verdicts.
      const offIntent = outcomes.filter(
        (o) => o.c.intended !== null && (o.c.intended === 'valid') !== o.compose.valid,
      );
      expect(offIntent.map((o) => `${o.c.id}: ${o.compose.message}`)).toEqual([]);
      expect(outcomes.filter((o) => o.c.intended === null).every((o) => o.compose.valid)).toBe(true);
    }, 900_000);
  });
});
