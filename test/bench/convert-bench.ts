import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { convertRun } from '../../server/src/convert/converter.js';
import {
  caseDir,
  composeConfig,
  eachLimited,
  loadCorpus,
  type CorpusCase,
} from '../fixtures/convert/corpus.js';
import { summarize } from './stats.js';

type Composerize = (command: string, existing?: string | null, version?: string, indent?: number) => string;
const composerize = createRequire(import.meta.url)('composerize') as Composerize;

interface Verdict {
  accepted: boolean;
  /** Same `docker compose config` as the expected YAML. */
  exact: boolean;
  /** Same services once service names and composerize's `name: <your project name>` line are set aside. */
  lenient: boolean;
}

/** The config with services compared as an unordered list of bodies, names ignored. */
function nameless(config: unknown): unknown {
  const c = config as { services?: Record<string, unknown>; volumes?: unknown; networks?: unknown };
  const bodies = Object.values(c.services ?? {}).map((s) => JSON.stringify(s));
  return { services: bodies.sort(), volumes: c.volumes ?? null, networks: c.networks ?? null };
}

async function judge(dir: string, file: string, yaml: string | null, expected: unknown): Promise<Verdict> {
  if (yaml === null) return { accepted: false, exact: false, lenient: false };
  const strict = await composeConfig(dir, file, yaml);
  const loose = await composeConfig(
    dir,
    `lenient-${file}`,
    yaml.replace(/^name: <your project name>\n/m, ''),
  );
  return {
    accepted: strict.ok,
    exact: strict.ok && isDeepStrictEqual(strict.config, expected),
    lenient: loose.ok && isDeepStrictEqual(nameless(loose.config), nameless(expected)),
  };
}

interface CaseResult {
  name: string;
  berth: Verdict;
  composerize: Verdict;
}

/**
 * The corpus of test/fixtures/convert through composerize alone and through Berth's converter,
 * each output checked by real `docker compose config` against the expected YAML; plus the time
 * one conversion takes.
 */
export async function benchConvert() {
  const corpus = loadCorpus();
  const berthMs: number[] = [];
  const composerizeMs: number[] = [];
  const run = async (c: CorpusCase): Promise<CaseResult> => {
    const { dir, cleanup } = caseDir(c);
    try {
      const want = await composeConfig(dir, 'expected.yaml', c.expected);
      if (!want.ok)
        throw new Error(`corpus case ${c.name}: compose rejects the expected YAML: ${want.error}`);
      let t = performance.now();
      let berthYaml: string | null = null;
      try {
        berthYaml = convertRun(c.command).yaml;
      } catch {
        berthYaml = null;
      }
      berthMs.push(performance.now() - t);
      t = performance.now();
      let theirs: string | null = null;
      try {
        theirs = composerize(c.command, null, 'latest', 2);
      } catch {
        theirs = null;
      }
      composerizeMs.push(performance.now() - t);
      return {
        name: c.name,
        berth: await judge(dir, 'berth.yaml', berthYaml, want.config),
        composerize: await judge(dir, 'composerize.yaml', theirs, want.config),
      };
    } finally {
      cleanup();
    }
  };
  // Warm both converters up once so the first sample is not module loading.
  convertRun('docker run nginx');
  composerize('docker run nginx');
  const results = await eachLimited(corpus, 3, run);
  const count = (pick: (r: CaseResult) => boolean) => results.filter(pick).length;
  return {
    name: 'convert',
    cases: corpus.length,
    berth: {
      acceptedByCompose: count((r) => r.berth.accepted),
      sameAsExpected: count((r) => r.berth.exact),
      convertMs: summarize(berthMs),
    },
    composerize: {
      acceptedByCompose: count((r) => r.composerize.accepted),
      sameAsExpected: count((r) => r.composerize.exact),
      sameIgnoringServiceNamesAndNameLine: count((r) => r.composerize.lenient),
      convertMs: summarize(composerizeMs),
    },
    berthOnlyRight: results.filter((r) => r.berth.exact && !r.composerize.exact).length,
    composerizeOnlyRight: results.filter((r) => r.composerize.exact && !r.berth.exact).map((r) => r.name),
    berthWrong: results.filter((r) => !r.berth.exact).map((r) => r.name),
  };
}
