import type { ConvertResponse } from '../../../common/api.js';
import { AppError } from '../errors.js';
import { openTarget, writeCompose, type ComposeParts, type Target } from './compose-writer.js';
import { parseCommand, type ResourceCommand, type RunCommand } from './run-parser.js';
import { mapService, type ComposeMap } from './service-mapper.js';
import { readShell, type ShellCommand, type Word } from './shell-words.js';
import { code, WordExpander } from './word-expander.js';

const MAX_SERVICE_NAME = 63;

/** A compose service name from a container name or an image: lower case, `[a-z0-9_-]`. */
export function serviceNameFrom(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, MAX_SERVICE_NAME);
  return name === '' ? 'service' : name;
}

/** `lscr.io/linuxserver/plex:latest@sha256:...` -> `plex`. */
export function imageBaseName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0] ?? last;
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

function optionValue(run: RunCommand, name: string, x: WordExpander): string | null {
  let found: Word | null = null;
  for (const o of run.options) if (o.kind === 'value' && o.name === name) found = o.word;
  return found ? x.plain(found) : null;
}

function mergeDefinitions(into: Map<string, ComposeMap | null>, from: Map<string, ComposeMap | null>): void {
  for (const [name, def] of from) {
    const cur = into.get(name);
    into.set(name, cur || def ? { ...(cur ?? {}), ...(def ?? {}) } : null);
  }
}

/**
 * `docker run` text -> compose YAML. Several run commands make several services; `into` is an
 * existing compose text the services are added to (comments and layout kept, clashing service
 * names renamed `web-2`, `web-3`, ...).
 */
export function convertRun(command: string, into?: string): ConvertResponse {
  const shell = readShell(command);
  const x = new WordExpander();
  const warnings: string[] = [];
  for (const n of shell.normalized) warnings.push(`typographic character ${n}`);
  if (shell.placeholders.length > 0) {
    const list = [...new Set(shell.placeholders)].map((p) => `\`${p}\``).join(', ');
    warnings.push(`placeholders to fill in: ${list}`);
  }
  for (const { line, mark } of shell.looseContinuations) {
    warnings.push(
      `line ${line}: ${code(mark)} at the line end was read as a continuation (a POSIX shell would end the command there)`,
    );
  }

  const runs: RunCommand[] = [];
  const resources = new Map<string, ResourceCommand>();
  const skipped: string[] = [];
  const reasons: string[] = [];
  const { commands, joined } = joinLostContinuations(shell.commands, x);
  for (const line of joined) {
    warnings.push(
      `line ${line}: joined to the docker command above it (its \`\\\` line continuation seems lost in the paste)`,
    );
  }
  for (const cmd of commands) {
    const parsed = parseCommand(cmd, x);
    if (parsed.kind === 'run') runs.push(parsed.run);
    else if (parsed.kind === 'resource')
      resources.set(`${parsed.resource.kind}:${parsed.resource.name}`, parsed.resource);
    else if (parsed.kind === 'other') {
      if (parsed.reason) reasons.push(parsed.reason);
      if (!parsed.quiet) {
        warnings.push(
          `line ${parsed.line}: skipped ${code(clip(parsed.text))}: ${parsed.reason ?? 'not a docker run command'}`,
        );
      }
      skipped.push(parsed.text);
    }
  }
  if (runs.length === 0) {
    if (reasons[0]) throw new AppError('BAD_REQUEST', `no service could be made: ${reasons[0]}`);
    const seen = skipped[0] ? ` (found ${code(clip(skipped[0]))})` : '';
    throw new AppError(
      'BAD_REQUEST',
      `no docker run command found${seen}: paste a command such as \`docker run -d -p 8080:80 nginx\``,
    );
  }

  const target: Target | undefined = into === undefined ? undefined : openTarget(into);
  const taken = new Set(target?.services ?? []);
  const containers = new Map<string, string>();
  const names = runs.map((run) => {
    const container = optionValue(run, 'name', x);
    const base = serviceNameFrom(container ?? imageBaseName(x.plain(run.image)));
    const name = unique(base, taken);
    if (target?.services.has(base)) warnings.push(`service \`${base}\` already exists; added as \`${name}\``);
    if (container !== null) {
      if (containers.has(container)) {
        warnings.push(
          `${name}: container name ${code(container)} is given twice; compose will refuse to create both`,
        );
      }
      containers.set(container, name);
      if (target?.containerNames.has(container)) {
        warnings.push(
          `${name}: container name \`${container}\` is already used by a service of the compose file`,
        );
      }
    }
    return name;
  });

  const parts: ComposeParts = { services: [], volumes: new Map(), networks: new Map() };
  runs.forEach((run, i) => {
    const name = names[i] as string;
    x.startCommand();
    const mapped = mapService(run, { x, service: name, containers, resources });
    const notes = [...mapped.warnings];
    if (x.variables.size > 0) {
      const vars = [...x.variables.values()].map(code).join(', ');
      notes.push(
        `${vars} left for compose to fill in from the stack's .env file or environment (the shell would have expanded ${x.variables.size > 1 ? 'them' : 'it'})`,
      );
    }
    for (const u of x.unsupported) {
      notes.push(
        `${code(u)} cannot be evaluated by compose; it was kept as literal text: replace it with its value`,
      );
    }
    for (const c of x.cwd) notes.push(`${code(c)} became \`.\`, the stack's folder`);
    for (const n of notes) warnings.push(runs.length > 1 || target ? `${name}: ${n}` : n);
    parts.services.push({ name, service: mapped.service });
    mergeDefinitions(parts.volumes, mapped.volumes);
    mergeDefinitions(parts.networks, mapped.networks);
  });
  if (target) {
    for (const key of ['volumes', 'networks'] as const) {
      for (const name of parts[key].keys()) {
        if (target.doc.hasIn([key, name])) {
          warnings.push(
            `${key === 'volumes' ? 'volume' : 'network'} \`${name}\` was already declared; it is shared`,
          );
        }
      }
    }
  }
  return { yaml: writeCompose(parts, target), warnings };
}

const DOCKER_COMMAND =
  /^(?:\$\s+)?(?:sudo\s+(?:-\S+\s+)*)?(?:docker|podman|nerdctl)\s+(?:-\S+\s+(?:\S+\s+)?)*(?:container\s+)?(?:run|create|service\s+create)\b/;
const IMAGE_LIKE = /^[a-z0-9][a-z0-9._/:@-]*$/i;

/**
 * README pastes often lose their `\` continuations: the lines after `docker run ...` then start
 * with `-` or `--` (and the last may hold the image alone). Such lines belong to the command above.
 */
function joinLostContinuations(
  commands: ShellCommand[],
  x: WordExpander,
): { commands: ShellCommand[]; joined: number[] } {
  const out: ShellCommand[] = [];
  const joined: number[] = [];
  let open: ShellCommand | null = null;
  let openJoined = false;
  for (const cmd of commands) {
    const first = cmd.words[0] ? x.plain(cmd.words[0]) : '';
    const startsWithOption: boolean = first.length > 1 && first.startsWith('-');
    const imageAlone: boolean = cmd.words.length === 1 && IMAGE_LIKE.test(first) && openJoined;
    if (open && cmd.line > open.line && (startsWithOption || imageAlone)) {
      open.words.push(...cmd.words);
      open.redirections.push(...cmd.redirections);
      joined.push(cmd.line);
      openJoined = !imageAlone;
      if (imageAlone) open = null;
      continue;
    }
    const copy = { ...cmd, words: [...cmd.words], redirections: [...cmd.redirections] };
    out.push(copy);
    open = DOCKER_COMMAND.test(cmd.words.map((w) => x.plain(w)).join(' ')) ? copy : null;
    openJoined = false;
  }
  return { commands: out, joined };
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}
