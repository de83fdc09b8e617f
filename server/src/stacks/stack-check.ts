import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../../../common/stack.js';
import type { ComposeOracle } from '../compose/compose-oracle.js';
import { placeComposeMessage } from '../validate/compose-messages.js';
import { validateCompose, type ValidationResult } from '../validate/compose-validator.js';
import { parseDotEnv } from '../validate/interpolation.js';

/** What a check knows of the stack around a compose text. */
export interface CheckContext {
  /** The stack's folder, when the stack exists: relative files are looked up there. */
  dir?: string;
  /** The `.env` text compose would read; undefined when not known. */
  env?: string | null;
}

/**
 * Berth's fast check (schema + compose's rules, with the stack's .env) and compose's own verdict
 * on the folder (`docker compose config`), turned into Problems with lines.
 */
export class StackChecker {
  constructor(
    private readonly oracle: ComposeOracle | null,
    /** Variables compose sees besides .env (Berth's child environment). */
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  validate(yaml: string, ctx: CheckContext): ValidationResult {
    let env: Map<string, string> | undefined;
    if (ctx.env !== undefined) {
      env = new Map(Object.entries(this.baseEnv).filter((e): e is [string, string] => e[1] !== undefined));
      // Berth drops from its children's environment what a stack's .env sets: the .env wins.
      for (const [k, v] of parseDotEnv(ctx.env ?? '', env)) env.set(k, v);
    }
    const dir = ctx.dir;
    const exists = dir
      ? (relative: string) => {
          const target = path.resolve(dir, relative);
          // Outside the folder Berth does not look (and says nothing).
          if (path.relative(dir, target).startsWith('..')) return true;
          return existsSync(target);
        }
      : undefined;
    return validateCompose(yaml, { env, exists });
  }

  /** compose's verdict on the folder as it is on disk; [] when valid or compose cannot run. */
  async composeProblems(dir: string, project: string, yaml: string): Promise<Problem[]> {
    const verdict = await this.oracle?.check(dir, project);
    if (!verdict || verdict.valid) return [];
    return [placeComposeMessage(yaml, verdict.message || 'compose refuses this stack', 'error')];
  }
}
