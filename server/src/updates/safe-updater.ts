import { access, mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ServiceChange, UpdateResult } from '../../../common/updates.js';
import type { ComposeRunner, JobContext } from '../compose/compose-runner.js';
import type { Job } from '../compose/job-store.js';
import { writeFileAtomic } from '../stacks/atomic-write.js';
import type { Logger } from '../logger.js';
import { digestFor, parseImageRef, repoName } from './image-ref.js';
import type { UpdateContainer, UpdateEngine } from './update-engine.js';
import type { UpdateStore } from './update-store.js';

/** The stack's files, as the updater needs them. */
export interface UpdateStackSource {
  read(name: string): Promise<{ info: { composeFile: string }; yaml: string; env: string | null }>;
  dirOf(name: string): string;
  /** Records compose/.env in the stack's file history; the entry id. */
  recordHistory(
    name: string,
    version: { composeFile: string; yaml: string; env: string | null },
  ): Promise<string>;
}

export interface SafeUpdaterOptions {
  /** How long updated services get to be running (and healthy, with a healthcheck). */
  healthTimeoutMs?: number;
  /** A service without a healthcheck must stay running this long to count as started. */
  settleMs?: number;
  pollMs?: number;
  /** Lines of the failing container's log put into the report. */
  logLines?: number;
}

export interface UpdateOutcome {
  stack: string;
  result: UpdateResult;
  reason: string | null;
  changes: ServiceChange[];
}

const OVERRIDE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yaml',
  'docker-compose.override.yml',
];

interface Before {
  service: string;
  imageRef: string;
  imageId: string;
  digest: string | null;
}

const short = (d: string | null) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : 'none');
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

/**
 * The safe update of one stack, as a job in its terminal: record compose/.env and the running
 * digests, pull, recreate the services whose image changed, wait for them to run (and be
 * healthy), and on failure recreate them from the previous digests through a temporary
 * override file (`-f`), the compose file itself untouched.
 */
export class SafeUpdater {
  private readonly healthTimeoutMs: number;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private readonly logLines: number;

  constructor(
    private readonly deps: {
      runner: ComposeRunner;
      engine: UpdateEngine;
      stacks: UpdateStackSource;
      store: UpdateStore;
      log: Logger;
      /** Folder for the temporary rollback override files. */
      workDir: string;
      onFinished?: (outcome: UpdateOutcome) => void;
    },
    options: SafeUpdaterOptions = {},
  ) {
    this.healthTimeoutMs = options.healthTimeoutMs ?? 120_000;
    this.settleMs = options.settleMs ?? 5_000;
    this.pollMs = options.pollMs ?? 500;
    this.logLines = options.logLines ?? 20;
  }

  async start(stack: string, actor: string): Promise<Job> {
    const files = await this.deps.stacks.read(stack); // 404 before a job is made
    let historyId = 0;
    let finished: UpdateOutcome | null = null;
    const onDone = (job: Job) => {
      // The stored output ends with the runner's result line, as the job's does.
      if (historyId) this.deps.store.setHistoryOutput(historyId, job.output);
      if (finished) this.deps.onFinished?.(finished);
    };
    const script = async (ctx: JobContext) => {
      historyId = this.deps.store.startHistory({
        stack,
        actor,
        jobId: ctx.job.id,
        changes: [],
        fileHistoryId: null,
      });
      let outcome: UpdateOutcome = { stack, result: 'failed', reason: 'internal error', changes: [] };
      try {
        outcome = await this.run(stack, files, ctx, historyId);
      } catch (err) {
        this.deps.log.error({ err, stack }, 'update failed');
        outcome = { ...outcome, reason: (err as Error).message || 'internal error' };
      }
      const summary =
        outcome.result === 'updated'
          ? `updated ${outcome.changes.map((c) => `${c.service} ${short(c.fromDigest)} → ${short(c.toDigest)}`).join(', ')}`
          : outcome.result === 'up-to-date'
            ? 'already up to date'
            : `${outcome.result}${outcome.reason ? `: ${outcome.reason}` : ''}`;
      // The history row gets the job output up to here plus the result line the runner prints.
      this.deps.store.finishHistory(historyId, {
        result: outcome.result,
        reason: outcome.reason,
        changes: outcome.changes,
        output: ctx.job.output,
      });
      finished = outcome;
      const ok = outcome.result === 'updated' || outcome.result === 'up-to-date';
      return { exitCode: ok ? 0 : 1, summary };
    };
    return this.deps.runner.startScript(stack, 'update', script, onDone);
  }

  private async run(
    stack: string,
    files: { info: { composeFile: string }; yaml: string; env: string | null },
    ctx: JobContext,
    historyRow: number,
  ): Promise<UpdateOutcome> {
    const dir = this.deps.stacks.dirOf(stack);
    const running = (await this.deps.engine.containers(stack)).filter((c) => c.state === 'running');
    const before = await this.snapshot(running);
    const fileHistoryId = await this.deps.stacks.recordHistory(stack, {
      composeFile: files.info.composeFile,
      yaml: files.yaml,
      env: files.env,
    });
    this.deps.store.noteSnapshot(historyRow, fileHistoryId, this.pending(before));
    ctx.say(
      `recorded ${files.info.composeFile}${files.env !== null ? ' and .env' : ''} (history ${fileHistoryId})` +
        (before.length
          ? ` and the running images:\r\n${before.map((b) => `  ${b.service}: ${b.imageRef} ${b.digest ?? b.imageId}`).join('\r\n')}\r\n`
          : '; no service is running, so nothing is recreated\r\n'),
    );
    const services = before.map((b) => b.service);
    const pullArgs = ['pull', '--ignore-buildable', ...services];
    if ((await ctx.compose(pullArgs, dir)) !== 0) {
      return {
        stack,
        result: 'failed',
        reason: 'pull failed; nothing was changed',
        changes: this.pending(before),
      };
    }
    if (before.length === 0) return { stack, result: 'up-to-date', reason: null, changes: [] };

    const changed: { before: Before; newId: string; newDigest: string | null }[] = [];
    for (const b of before) {
      const img = await this.deps.engine.image(b.imageRef);
      if (img && img.id !== b.imageId) {
        const ref = parseImageRef(b.imageRef);
        changed.push({ before: b, newId: img.id, newDigest: ref ? digestFor(ref, img.repoDigests) : null });
      }
    }
    if (changed.length === 0) {
      ctx.say('every running service already runs the pulled image\r\n');
      return { stack, result: 'up-to-date', reason: null, changes: [] };
    }
    const changes: ServiceChange[] = changed.map((c) => ({
      service: c.before.service,
      image: c.before.imageRef,
      fromDigest: c.before.digest,
      toDigest: c.newDigest,
    }));
    const affected = changed.map((c) => c.before.service);
    const upCode = await ctx.compose(['up', '-d', '--no-deps', ...affected], dir);
    const failure =
      upCode !== 0
        ? { service: affected[0] ?? '', why: `up exited with code ${upCode}`, id: null }
        : await this.waitHealthy(stack, affected, ctx);
    if (!failure) return { stack, result: 'updated', reason: null, changes };

    const reason = `${failure.service}: ${failure.why}`;
    ctx.say(`\r\n\x1b[31mupdate failed: ${reason}\x1b[0m\r\n`);
    if (failure.id) {
      const logs = (await this.deps.engine.logs(failure.id, this.logLines)).trimEnd();
      ctx.say(
        `last ${this.logLines} log lines of ${failure.service}:\r\n${logs ? crlf(logs) : '(no output)'}\r\n`,
      );
    }
    const pinned = changed.filter((c) => c.before.digest);
    const unpinnable = changed.filter((c) => !c.before.digest).map((c) => c.before.service);
    if (pinned.length === 0) {
      return { stack, result: 'failed', reason: `${reason}; no previous digest to roll back to`, changes };
    }
    ctx.say(`rolling back ${pinned.map((c) => c.before.service).join(', ')} to the previous digests\r\n`);
    const overrideFile = await this.writeOverride(
      stack,
      pinned.map((c) => c.before),
    );
    try {
      const fileArgs = await this.fileArgs(dir, files.info.composeFile, overrideFile);
      const rollbackServices = pinned.map((c) => c.before.service);
      const code = await ctx.compose([...fileArgs, 'up', '-d', '--no-deps', ...rollbackServices], dir);
      const again =
        code !== 0
          ? { why: `rollback up exited with code ${code}` }
          : await this.waitHealthy(stack, rollbackServices, ctx);
      if (again) {
        return {
          stack,
          result: 'failed',
          reason: `${reason}; the rollback failed too (${again.why})`,
          changes,
        };
      }
    } finally {
      await unlink(overrideFile).catch(() => undefined);
    }
    const note = unpinnable.length
      ? ` (${unpinnable.join(', ')} had no digest and stays on the new image)`
      : '';
    return { stack, result: 'rolled-back', reason: reason + note, changes };
  }

  private pending(before: Before[]): ServiceChange[] {
    return before.map((b) => ({
      service: b.service,
      image: b.imageRef,
      fromDigest: b.digest,
      toDigest: null,
    }));
  }

  private async snapshot(running: UpdateContainer[]): Promise<Before[]> {
    const out: Before[] = [];
    const seen = new Set<string>();
    for (const c of running) {
      if (seen.has(c.service)) continue;
      seen.add(c.service);
      const ref = parseImageRef(c.imageRef);
      const img = await this.deps.engine.image(c.imageId);
      out.push({
        service: c.service,
        imageRef: c.imageRef,
        imageId: c.imageId,
        digest: ref && img ? digestFor(ref, img.repoDigests) : null,
      });
    }
    return out.sort((a, b) => a.service.localeCompare(b.service));
  }

  /** The compose file, compose's default override when present, then the rollback override. */
  private async fileArgs(dir: string, composeFile: string, override: string): Promise<string[]> {
    const args = ['-f', composeFile];
    for (const name of OVERRIDE_NAMES) {
      const exists = await access(path.join(dir, name)).then(
        () => true,
        () => false,
      );
      if (exists) {
        args.push('-f', name);
        break;
      }
    }
    return [...args, '-f', override];
  }

  private async writeOverride(stack: string, pinned: Before[]): Promise<string> {
    await mkdir(this.deps.workDir, { recursive: true });
    const file = path.join(this.deps.workDir, `${stack}-rollback-${Date.now()}.yaml`);
    const services: Record<string, { image: string }> = {};
    for (const b of pinned) {
      const ref = parseImageRef(b.imageRef);
      if (ref && b.digest) services[b.service] = { image: `${repoName(ref)}@${b.digest}` };
    }
    await writeFileAtomic(
      file,
      `# written by Berth for one rollback run, then removed\n${stringify({ services })}`,
    );
    return file;
  }

  /** null when every service runs (healthy where checked) long enough; else the first failure. */
  private async waitHealthy(
    stack: string,
    services: string[],
    ctx: JobContext,
  ): Promise<{ service: string; why: string; id: string | null } | null> {
    ctx.say(
      `waiting up to ${Math.round(this.healthTimeoutMs / 1000)} s for ${services.join(', ')} to run\r\n`,
    );
    const deadline = Date.now() + this.healthTimeoutMs;
    for (;;) {
      const all = await this.deps.engine.containers(stack);
      let pending: { service: string; why: string; id: string | null } | null = null;
      for (const service of services) {
        const mine = all.filter((c) => c.service === service);
        if (mine.length === 0) {
          pending ??= { service, why: 'no container', id: null };
          continue;
        }
        for (const c of mine) {
          if (c.state === 'exited' || c.state === 'dead') {
            return { service, why: `the container exited with code ${c.exitCode}`, id: c.id };
          }
          if (c.health === 'unhealthy') return { service, why: 'the container is unhealthy', id: c.id };
          if (c.state === 'restarting') {
            return { service, why: `the container keeps restarting (exit code ${c.exitCode})`, id: c.id };
          }
          if (c.state !== 'running') pending ??= { service, why: `still ${c.state}`, id: c.id };
          else if (c.health === 'starting')
            pending ??= { service, why: 'still starting (healthcheck)', id: c.id };
          else if (c.health === null && Date.now() - Date.parse(c.startedAt) < this.settleMs) {
            pending ??= { service, why: 'not yet running long enough', id: c.id };
          }
        }
      }
      if (!pending) {
        ctx.say(`${services.join(', ')} running\r\n`);
        return null;
      }
      if (Date.now() > deadline) {
        return { ...pending, why: `${pending.why} after ${Math.round(this.healthTimeoutMs / 1000)} s` };
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
