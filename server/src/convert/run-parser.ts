import { GLOBAL_OPTIONS, longOption, shortOption, type RunOptionSpec } from './run-options.js';
import { sourceOf, type ShellCommand, type Word, type WordPart } from './shell-words.js';
import type { WordExpander } from './word-expander.js';

/** One option as given: flags carry on/off, value options their word. */
export type GivenOption =
  | { name: string; written: string; kind: 'flag'; on: boolean }
  | { name: string; written: string; kind: 'value'; word: Word }
  | { name: string; written: string; kind: 'unknown'; word: Word | null };

export interface RunCommand {
  line: number;
  tool: string;
  /** `service`: `docker service create`, whose swarm options are in `swarm`. */
  subcommand: 'run' | 'create' | 'service';
  /** Options only `docker service create` has (replicas, placement, update config, ...). */
  swarm: Array<{ name: string; word: Word }>;
  options: GivenOption[];
  image: Word;
  args: Word[];
  /** `NAME=value` before the command: the docker CLI's environment (seen by `-e NAME`). */
  env: Map<string, WordPart[]>;
  /** Things about the command line itself (global options, redirections). */
  notes: string[];
}

/** A `docker network create` or `docker volume create` in the paste. */
export interface ResourceCommand {
  kind: 'network' | 'volume';
  name: string;
  driver: Word | null;
  options: Array<{ name: string; word: Word | null }>;
}

export type ParsedCommand =
  | { kind: 'run'; run: RunCommand }
  | { kind: 'resource'; resource: ResourceCommand }
  | { kind: 'assignment' }
  | { kind: 'other'; text: string; line: number; quiet: boolean; reason?: string };

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const TOOLS = new Set(['docker', 'podman', 'nerdctl']);
const SUDO_VALUE_OPTIONS = new Set([
  '-u',
  '-g',
  '-C',
  '-D',
  '-h',
  '-p',
  '-r',
  '-t',
  '-U',
  '-T',
  '--user',
  '--group',
]);

/** Splits `NAME=rest` when the word starts with a literal, unquoted-looking assignment. */
function assignment(word: Word): { name: string; value: WordPart[] } | null {
  const first = word.parts[0];
  if (first?.kind !== 'literal') return null;
  const m = ASSIGNMENT.exec(first.text);
  if (!m?.[1]) return null;
  const rest = first.text.slice(m[0].length);
  const value: WordPart[] = rest === '' ? [] : [{ kind: 'literal', text: rest }];
  return { name: m[1], value: [...value, ...word.parts.slice(1)] };
}

/** Drops the first `n` characters of a word (an option's `--name=` prefix, say). */
export function dropPrefix(word: Word, n: number): Word {
  const parts: WordPart[] = [];
  let skip = n;
  for (const p of word.parts) {
    if (skip > 0 && p.kind === 'literal') {
      if (p.text.length <= skip) {
        skip -= p.text.length;
        continue;
      }
      parts.push({ kind: 'literal', text: p.text.slice(skip) });
      skip = 0;
    } else parts.push(p);
  }
  return { parts, line: word.line };
}

function wordOf(text: string, line: number): Word {
  return { parts: [{ kind: 'literal', text }], line };
}

const FALSE = new Set(['false', '0', 'f', 'F', 'FALSE', 'False']);
const TRUE = new Set(['true', '1', 't', 'T', 'TRUE', 'True']);

/**
 * Reads one shell command. Run commands become `RunCommand`s, with options parsed the way the
 * docker CLI (pflag) does: `--opt=value`, `--opt value`, `-abc` combined flags, `-p80:80`,
 * `--flag=false`; the first word that is not an option is the image, the rest its arguments.
 */
export function parseCommand(cmd: ShellCommand, x: WordExpander): ParsedCommand {
  const words = cmd.words;
  const plain = (w: Word | undefined) => (w ? x.plain(w) : '');
  let i = 0;
  const env = new Map<string, WordPart[]>();

  const leading: Array<{ name: string; value: WordPart[] }> = [];
  for (
    let a = words[i] ? assignment(words[i] as Word) : null;
    a;
    a = words[i] ? assignment(words[i] as Word) : null
  ) {
    leading.push(a);
    i++;
  }
  if (i === words.length) {
    for (const a of leading) x.assign(a.name, a.value, false);
    return { kind: 'assignment' };
  }
  for (const a of leading) env.set(a.name, x.resolve(a.value));

  if (plain(words[i]) === 'export' || plain(words[i]) === 'set') {
    const builtin = plain(words[i]);
    for (const w of words.slice(i + 1)) {
      const a = assignment(w);
      if (a) x.assign(a.name, a.value, true);
    }
    return builtin === 'export' ? { kind: 'assignment' } : other(cmd, x, true);
  }

  // A prompt pasted along (`$ docker run ...`).
  if (plain(words[i]) === '$') i++;
  if (i === words.length) return other(cmd, x, true);
  // Wrappers that run the rest of the line as a command.
  for (;;) {
    const w = plain(words[i]);
    if (w === 'sudo' || w === 'doas') {
      i++;
      while (plain(words[i]).startsWith('-')) {
        const opt = plain(words[i]);
        i += SUDO_VALUE_OPTIONS.has(opt) ? 2 : 1;
        if (opt === '--') break;
      }
    } else if (w === 'env') {
      i++;
      for (;;) {
        const a = words[i] ? assignment(words[i] as Word) : null;
        if (a) {
          env.set(a.name, x.resolve(a.value));
          i++;
        } else if (plain(words[i]).startsWith('-')) i++;
        else break;
      }
    } else if (w === 'exec' || w === 'time' || w === 'nohup' || w === 'command') i++;
    else break;
  }

  const tool =
    plain(words[i])
      .split('/')
      .pop()
      ?.replace(/\.exe$/, '') ?? '';
  if (!TOOLS.has(tool)) return other(cmd, x, false);
  i++;
  const notes: string[] = [];
  while (plain(words[i]).startsWith('-')) {
    const opt = plain(words[i]);
    const [name = '', inline] = opt.replace(/^--?/, '').split(/=(.*)/s, 2);
    const arity = GLOBAL_OPTIONS[name];
    if (arity === undefined) return other(cmd, x, false);
    const value = arity === 'value' && inline === undefined ? plain(words[i + 1]) : inline;
    if (['host', 'H', 'context', 'c'].includes(name)) {
      notes.push(
        `\`${tool} ${opt.split('=')[0]} ${value ?? ''}\` picks another engine; compose uses the engine Berth runs against`,
      );
    }
    i += arity === 'value' && inline === undefined ? 2 : 1;
  }
  let sub = plain(words[i]);
  if (sub === 'container') {
    i++;
    sub = plain(words[i]);
  }
  if (sub === 'network' || sub === 'volume') {
    const resource = parseResource(sub, words.slice(i + 1), x);
    return resource ? { kind: 'resource', resource } : other(cmd, x, true);
  }
  let service = false;
  if (sub === 'service') {
    if (plain(words[i + 1]) !== 'create') return other(cmd, x, false);
    service = true;
    i++;
  } else if (sub !== 'run' && sub !== 'create') return other(cmd, x, false);
  i++;
  const swarm: RunCommand['swarm'] = [];
  /** The last unknown option that took the next word as its value (to explain a missing image). */
  let tookImage: { written: string; value: string } | null = null;

  const options: GivenOption[] = [];
  let image: Word | undefined;
  for (; i < words.length; i++) {
    const word = words[i] as Word;
    const text = plain(word);
    if (text === '--') {
      i++;
      image = words[i];
      break;
    }
    if (text.startsWith('--') && text.length > 2) {
      const eq = text.indexOf('=');
      const given = text.slice(2, eq < 0 ? undefined : eq);
      const name = service ? (SERVICE_RENAMES[given] ?? given) : given;
      const written = `--${given}`;
      if (service && SERVICE_QUIET_FLAGS.has(name)) continue;
      if (service && SWARM_VALUE_OPTIONS.has(name)) {
        const value = eq < 0 ? words[++i] : dropPrefix(word, eq + 1);
        if (value) swarm.push({ name, word: value });
        else notes.push(`\`${written}\` has no value; ignored`);
        continue;
      }
      const spec = longOption(name);
      if (!spec) {
        // An option Berth does not know most likely takes a value, unless written `--foo=bar`
        // or followed by another option.
        let value: Word | null = eq < 0 ? null : dropPrefix(word, eq + 1);
        const next = words[i + 1];
        if (eq < 0 && next && !plain(next).startsWith('-')) {
          value = next;
          i++;
          tookImage = { written, value: plain(next) };
        } else tookImage = null;
        options.push({ name, written, kind: 'unknown', word: value });
        continue;
      }
      if (spec.arity === 'flag') {
        options.push(flag(spec, written, eq < 0 ? null : text.slice(eq + 1)));
        continue;
      }
      const value = eq < 0 ? words[++i] : dropPrefix(word, eq + 1);
      if (!value) {
        notes.push(`\`${written}\` has no value; ignored`);
        break;
      }
      options.push({ name: spec.name, written, kind: 'value', word: value });
      continue;
    }
    if (text.startsWith('-') && text.length > 1) {
      // Combined short options: every letter a flag, except that a value option takes the rest.
      for (let k = 1; k < text.length; k++) {
        const letter = text[k] as string;
        const spec = shortOption(letter);
        const written = `-${letter}`;
        if (!spec) {
          options.push({ name: letter, written, kind: 'unknown', word: null });
          continue;
        }
        if (spec.arity === 'flag') {
          if (text[k + 1] === '=') {
            options.push(flag(spec, written, text.slice(k + 2)));
            break;
          }
          options.push(flag(spec, written, null));
          continue;
        }
        let value: Word | undefined;
        if (k + 1 < text.length) value = dropPrefix(word, text[k + 1] === '=' ? k + 2 : k + 1);
        else value = words[++i];
        if (value) options.push({ name: spec.name, written, kind: 'value', word: value });
        else notes.push(`\`${written}\` has no value; ignored`);
        break;
      }
      continue;
    }
    image = word;
    break;
  }
  if (!image) {
    const reason = tookImage
      ? `the unknown option \`${tookImage.written}\` took \`${tookImage.value}\` as its value, which leaves no image: write \`${tookImage.written}=VALUE\` if it takes one, or drop it`
      : undefined;
    return { kind: 'other', text: words.map(sourceOf).join(' '), line: cmd.line, quiet: false, reason };
  }
  for (const r of cmd.redirections) notes.push(`redirection \`${r}\` ignored`);
  // Expanded now: a later assignment in the paste must not change this command.
  const resolved = (w: Word): Word => ({ parts: x.resolve(w.parts), line: w.line });
  return {
    kind: 'run',
    run: {
      line: cmd.line,
      tool,
      subcommand: service ? 'service' : sub,
      swarm: swarm.map((o) => ({ ...o, word: resolved(o.word) })),
      options: options.map((o) =>
        o.kind === 'flag' || o.word === null ? o : { ...o, word: resolved(o.word) },
      ) as GivenOption[],
      image: resolved(image),
      args: words.slice(i + 1).map(resolved),
      env,
      notes,
    },
  };
}

/** `docker service create` options with another name in `docker run`. */
const SERVICE_RENAMES: Record<string, string> = {
  'container-label': 'label',
  label: 'service-label',
  host: 'add-host',
  group: 'group-add',
  'limit-cpu': 'limit-cpus',
  'reserve-cpu': 'reserve-cpus',
};

const SERVICE_QUIET_FLAGS = new Set(['detach', 'quiet', 'with-registry-auth', 'no-resolve-image']);

/** Options of `docker service create` that go to `deploy:` (or are swarm-only). */
const SWARM_VALUE_OPTIONS = new Set([
  'replicas',
  'mode',
  'constraint',
  'placement-pref',
  'replicas-max-per-node',
  'max-concurrent',
  'update-parallelism',
  'update-delay',
  'update-failure-action',
  'update-monitor',
  'update-max-failure-ratio',
  'update-order',
  'rollback-parallelism',
  'rollback-delay',
  'rollback-failure-action',
  'rollback-monitor',
  'rollback-max-failure-ratio',
  'rollback-order',
  'restart-condition',
  'restart-delay',
  'restart-max-attempts',
  'restart-window',
  'limit-cpus',
  'limit-memory',
  'limit-pids',
  'reserve-cpus',
  'reserve-memory',
  'endpoint-mode',
  'service-label',
  'secret',
  'config',
  'generic-resource',
  'publish',
]);

function flag(spec: RunOptionSpec, written: string, value: string | null): GivenOption {
  let on = true;
  if (value !== null) on = TRUE.has(value) ? true : !FALSE.has(value);
  return { name: spec.name, written, kind: 'flag', on };
}

function other(cmd: ShellCommand, x: WordExpander, quiet: boolean): ParsedCommand {
  return { kind: 'other', text: cmd.words.map((w) => x.plain(w)).join(' '), line: cmd.line, quiet };
}

const RESOURCE_FLAGS = new Set(['--internal', '--attachable', '--ingress', '--ipv6', '--config-only']);

/** `network create [opts] NAME` / `volume create [opts] [NAME]`. */
function parseResource(kind: 'network' | 'volume', words: Word[], x: WordExpander): ResourceCommand | null {
  if (x.plain(words[0] ?? wordOf('', 0)) !== 'create') return null;
  const options: ResourceCommand['options'] = [];
  let name = '';
  let driver: Word | null = null;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as Word;
    const text = x.plain(word);
    if (!text.startsWith('-')) {
      name = text;
      continue;
    }
    const eq = text.indexOf('=');
    const opt = eq < 0 ? text : text.slice(0, eq);
    let value: Word | null = null;
    if (!RESOURCE_FLAGS.has(opt)) value = eq < 0 ? (words[++i] ?? null) : dropPrefix(word, eq + 1);
    const long = opt.replace(/^--?/, '');
    const canonical = { d: 'driver', o: 'opt' }[long] ?? long;
    if (canonical === 'driver') driver = value;
    else options.push({ name: canonical, word: value });
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return null;
  return { kind, name, driver, options };
}
