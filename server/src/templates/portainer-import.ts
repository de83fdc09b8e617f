import { Document } from 'yaml';
import { z } from 'zod';
import { ENV_KEY_PATTERN, type TemplateMeta, type TemplateVariable } from '../../../common/templates.js';
import { AppError } from '../errors.js';

// Portainer's app-template format, version 2 (docs.portainer.io, "App templates"): type 1 is a
// container, 2 a swarm stack and 3 a compose stack (both from a git repository).
const PortainerEnv = z
  .object({
    name: z.string(),
    label: z.string().optional(),
    description: z.string().optional(),
    default: z.string().optional(),
    /** Hidden from the user: the default is the value. */
    preset: z.boolean().optional(),
    /** Version 1's fixed value, still found in v2 files. */
    set: z.string().optional(),
    select: z
      .array(z.object({ text: z.string().optional(), value: z.string(), default: z.boolean().optional() }))
      .optional(),
    type: z.string().optional(),
  })
  .loose();

const PortainerTemplate = z
  .object({
    type: z.number().int(),
    title: z.string().min(1),
    description: z.string().optional(),
    note: z.string().optional(),
    categories: z.array(z.string()).optional(),
    platform: z.string().optional(),
    image: z.string().optional(),
    registry: z.string().optional(),
    name: z.string().optional(),
    command: z.string().optional(),
    env: z.array(PortainerEnv).optional(),
    ports: z.array(z.string()).optional(),
    volumes: z
      .array(
        z.object({ container: z.string(), bind: z.string().optional(), readonly: z.boolean().optional() }),
      )
      .optional(),
    labels: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    restart_policy: z.string().optional(),
    network: z.string().optional(),
    hostname: z.string().optional(),
    privileged: z.boolean().optional(),
    interactive: z.boolean().optional(),
  })
  .loose();
type PortainerTemplate = z.infer<typeof PortainerTemplate>;

const Catalogue = z.object({ version: z.string(), templates: z.array(z.unknown()) });

export interface ImportedTemplate {
  name: string;
  meta: TemplateMeta;
  compose: string;
  envExample: string;
}

export interface CatalogueResult {
  templates: ImportedTemplate[];
  skipped: Array<{ title: string; reason: string }>;
}

/** Names that hold passwords get Berth's generated secrets; API keys and tokens are the user's. */
const GENERATED_SECRET = /password|passwd|(^|_)pass($|_)|secret/i;
const RESTART = new Set(['no', 'always', 'on-failure', 'unless-stopped']);

export const slugOf = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '') || 'template';

const stripHtml = (html: string) =>
  html
    .replace(/<(br|p|\/p|li|div|\/div)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** `80/tcp` (host port chosen by the user) or `8080:80/tcp`: a port variable with that default. */
function mapPort(spec: string, vars: TemplateVariable[]): string {
  const m = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(spec.trim());
  if (!m?.[2]) return spec.trim();
  const [, host, container, proto] = m;
  const name = `PORT_${container}${proto === 'udp' ? '_UDP' : ''}`;
  if (!vars.some((v) => v.name === name)) {
    vars.push({
      name,
      label: `Host port for ${container}/${proto ?? 'tcp'}`,
      type: 'port',
      default: host ?? container,
      required: true,
    });
  }
  return `\${${name}}:${container}${proto ? `/${proto}` : ''}`;
}

function mapEnv(
  env: z.infer<typeof PortainerEnv>,
  vars: TemplateVariable[],
  environment: Record<string, string>,
): string | null {
  if (!ENV_KEY_PATTERN.test(env.name))
    return `environment variable "${env.name}" is not a valid name; left out`;
  const fixed = env.set ?? (env.preset ? env.default : undefined);
  if (fixed !== undefined) {
    environment[env.name] = fixed.replace(/\$/g, '$$$$');
    return null;
  }
  environment[env.name] = `\${${env.name}}`;
  const base = {
    name: env.name,
    label: (env.label ?? env.name).slice(0, 200) || env.name,
    ...(env.description
      ? { description: env.description.slice(0, 2000) }
      : env.type === 'container'
        ? { description: 'the name of a container on the same network' }
        : {}),
  };
  if (env.select?.length) {
    const chosen = env.select.find((o) => o.default) ?? env.select[0];
    vars.push({
      ...base,
      type: 'select',
      options: env.select.map((o) => ({ value: o.value, ...(o.text ? { label: o.text } : {}) })),
      ...(chosen ? { default: chosen.value } : {}),
    });
  } else if (GENERATED_SECRET.test(env.name) && !env.default) {
    vars.push({ ...base, type: 'secret', length: 32 });
  } else {
    vars.push({ ...base, type: 'text', ...(env.default !== undefined ? { default: env.default } : {}) });
  }
  return null;
}

/** One type 1 (container) template as a compose file with variables; notes name what was left out. */
export function containerTemplate(t: PortainerTemplate): {
  compose: string;
  meta: TemplateMeta;
  envExample: string;
} {
  if (!t.image) throw new Error('no image');
  const service = slugOf(t.name ?? t.title);
  const vars: TemplateVariable[] = [];
  const notes: string[] = [];
  const svc: Record<string, unknown> = {
    image: t.registry ? `${t.registry.replace(/\/+$/, '')}/${t.image}` : t.image,
  };
  if (t.command) svc.command = t.command;
  if (t.restart_policy && RESTART.has(t.restart_policy)) svc.restart = t.restart_policy;
  if (t.hostname) svc.hostname = t.hostname;
  if (t.privileged) svc.privileged = true;
  if (t.interactive) {
    svc.stdin_open = true;
    svc.tty = true;
  }
  const environment: Record<string, string> = {};
  for (const e of t.env ?? []) {
    const note = mapEnv(e, vars, environment);
    if (note) notes.push(note);
  }
  if (Object.keys(environment).length) svc.environment = environment;
  const networks: Record<string, unknown> = {};
  if (t.network && ['host', 'none', 'bridge'].includes(t.network)) svc.network_mode = t.network;
  else if (t.network) {
    svc.networks = [t.network];
    networks[t.network] = { external: true };
  }
  if (t.ports?.length && svc.network_mode !== 'host') svc.ports = t.ports.map((p) => mapPort(p, vars));
  const volumes: Record<string, null> = {};
  if (t.volumes?.length) {
    svc.volumes = t.volumes.map((v, i) => {
      const source = v.bind ?? `${service}-data${t.volumes && t.volumes.length > 1 ? `-${i + 1}` : ''}`;
      if (!v.bind) volumes[source] = null;
      return `${source}:${v.container}${v.readonly ? ':ro' : ''}`;
    });
  }
  if (t.labels?.length) svc.labels = Object.fromEntries(t.labels.map((l) => [l.name, l.value]));

  const doc = new Document({
    services: { [service]: svc },
    ...(Object.keys(volumes).length ? { volumes } : {}),
    ...(Object.keys(networks).length ? { networks } : {}),
  });
  doc.commentBefore = ` ${t.title}: imported from a Portainer app template.`;
  const description = [t.description ?? '', t.note ? `Note: ${stripHtml(t.note)}` : '', ...notes]
    .filter(Boolean)
    .join(' ')
    .slice(0, 4000);
  const envExample = vars.map((v) => `${v.name}=${v.type === 'secret' ? '' : (v.default ?? '')}`).join('\n');
  return {
    compose: doc.toString({ lineWidth: 0 }),
    meta: {
      title: t.title.slice(0, 200),
      description,
      category: (t.categories?.[0] ?? 'other').toLowerCase().slice(0, 64),
      variables: vars,
    },
    envExample: envExample ? `${envExample}\n` : '',
  };
}

/**
 * A Portainer app-template catalogue (version 2) as Berth templates: containers become compose
 * files; stacks from git repositories and other kinds are reported as skipped, one by one.
 */
export function importCatalogue(input: unknown): CatalogueResult {
  const cat = Catalogue.safeParse(input);
  if (!cat.success) {
    throw new AppError(
      'BAD_REQUEST',
      'not a Portainer app-template file: expected {version, templates: [...]}',
    );
  }
  if (cat.data.version !== '2') {
    throw new AppError(
      'BAD_REQUEST',
      `Portainer app-template version "${cat.data.version}" is not supported (only 2)`,
    );
  }
  const result: CatalogueResult = { templates: [], skipped: [] };
  const names = new Set<string>();
  cat.data.templates.forEach((raw, i) => {
    const parsed = PortainerTemplate.safeParse(raw);
    if (!parsed.success) {
      const title = (raw as { title?: unknown } | null)?.title;
      result.skipped.push({
        title: typeof title === 'string' ? title : `#${i + 1}`,
        reason: `not a valid template: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      });
      return;
    }
    const t = parsed.data;
    if (t.type === 2 || t.type === 3) {
      const kind = t.type === 2 ? 'swarm stack' : 'compose stack';
      result.skipped.push({
        title: t.title,
        reason: `a ${kind} from a git repository: needs a git repository, skipped`,
      });
      return;
    }
    if (t.type !== 1) {
      result.skipped.push({ title: t.title, reason: `template type ${t.type} is not supported, skipped` });
      return;
    }
    if (t.platform === 'windows') {
      result.skipped.push({ title: t.title, reason: 'a Windows container, skipped' });
      return;
    }
    if (!t.image) {
      result.skipped.push({ title: t.title, reason: 'no image, skipped' });
      return;
    }
    let name = slugOf(t.title);
    for (let n = 2; names.has(name); n++) name = `${slugOf(t.title).slice(0, 60)}-${n}`;
    names.add(name);
    result.templates.push({ name, ...containerTemplate(t) });
  });
  return result;
}
