import type { StackDetail } from '../../../common/stack.js';
import {
  envEntries,
  inferVariables,
  SECRET_KEY_PATTERN,
  MAX_CATALOGUE_BYTES,
  TemplateId,
  type CreateFromTemplateReply,
  type CreateFromTemplateRequest,
  type ImportTemplatesReply,
  type ImportTemplatesRequest,
  type SaveTemplateRequest,
  type TemplateDetail,
  type TemplateSource,
  type TemplateSummary,
} from '../../../common/templates.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { fetchCatalogue } from './catalogue-fetch.js';
import { importCatalogue } from './portainer-import.js';
import type { TemplateFolder, TemplateStore } from './template-store.js';
import { exampleFromEnv, renderEnv, resolveValues } from './template-values.js';

/** What templates need of stacks: create one, read one, know its folder. */
export interface TemplateStacks {
  create(name: string, yaml: string, env?: string): Promise<StackDetail>;
  read(name: string): Promise<{ yaml: string; env: string | null }>;
  dirOf(name: string): string;
}

export interface TemplateServiceDeps {
  store: TemplateStore;
  stacks: TemplateStacks;
  log: Logger;
  /** Catalogue URLs may reach loopback and private networks. */
  allowPrivateUrls: boolean;
  /** Fetches a catalogue URL (tests and the real client alike go through the guard). */
  fetch?: (url: string) => Promise<unknown>;
}

const summaryOf = ({
  id,
  source,
  name,
  title,
  description,
  category,
  variables,
}: TemplateFolder): TemplateSummary => ({
  id,
  source,
  name,
  title,
  description,
  category,
  variables,
});

export class TemplateService {
  private readonly fetchUrl: (url: string) => Promise<unknown>;

  constructor(private readonly deps: TemplateServiceDeps) {
    this.fetchUrl =
      deps.fetch ??
      ((url) => fetchCatalogue(url, { allowPrivate: deps.allowPrivateUrls, maxBytes: MAX_CATALOGUE_BYTES }));
  }

  async list(): Promise<TemplateSummary[]> {
    return (await this.deps.store.list()).map(summaryOf);
  }

  private async folder(id: string): Promise<TemplateFolder> {
    const parsed = TemplateId.safeParse(id);
    const [source, name] = parsed.success ? (id.split('/') as [TemplateSource, string]) : [];
    const t =
      source && name
        ? await this.deps.store.load(source, name).catch((err: unknown) => {
            // A broken template.json is not listed either: to the user it does not exist.
            this.deps.log.warn({ err, template: id }, 'template cannot be read');
            return null;
          })
        : null;
    if (!t) throw new AppError('NOT_FOUND', `no template "${id.slice(0, 80)}"`);
    return t;
  }

  async get(id: string): Promise<TemplateDetail> {
    const { dir: _dir, ...detail } = await this.folder(id);
    return detail;
  }

  /**
   * A new stack from a template: values checked against the variables (secrets left empty are
   * generated), the `.env` written from `.env.example` with them, the compose file copied as is.
   */
  async createStack(req: CreateFromTemplateRequest): Promise<CreateFromTemplateReply> {
    const t = await this.folder(req.template);
    const { env, generated } = resolveValues(t.variables, req.values);
    const envText = renderEnv(t.envExample, env);
    const detail = await this.deps.stacks.create(req.name, t.compose, envText === '' ? undefined : envText);
    await this.deps.store.copyExtras(t, this.deps.stacks.dirOf(req.name)).catch((err: unknown) => {
      this.deps.log.warn({ err, template: t.id, stack: req.name }, 'template files not all copied');
    });
    this.deps.log.info({ template: t.id, stack: req.name, generated }, 'stack created from template');
    return { ...detail, generated };
  }

  /** "Save as template": the stack's compose file, its `.env` as `.env.example` (secrets blanked). */
  async saveFromStack(req: SaveTemplateRequest): Promise<TemplateDetail> {
    const files = await this.deps.stacks.read(req.stack);
    const variables = req.variables ?? inferVariables(files.env);
    // Keys that look secret are blanked whatever the variables say: a template never carries them.
    const secrets = new Set([
      ...variables.filter((v) => v.type === 'secret').map((v) => v.name),
      ...envEntries(files.env ?? '')
        .map((e) => e.key)
        .filter((k) => SECRET_KEY_PATTERN.test(k)),
    ]);
    const envExample = files.env === null ? null : exampleFromEnv(files.env, secrets);
    // Secret defaults would leak the stack's secret into the template.
    const meta = {
      title: req.title,
      description: req.description ?? '',
      category: req.category?.trim() || 'other',
      variables: variables.map((v) => {
        if (v.type !== 'secret') return v;
        const { default: _secretValue, ...rest } = v;
        return rest;
      }),
    };
    await this.deps.store.createUser(req.name, {
      meta,
      compose: files.yaml,
      envExample,
    });
    return this.get(`user/${req.name}`);
  }

  async delete(id: string): Promise<{ ok: true }> {
    const t = await this.folder(id);
    if (t.source !== 'user') throw new AppError('FORBIDDEN', 'built-in templates cannot be deleted');
    await this.deps.store.trash(t.name);
    return { ok: true };
  }

  /** Portainer app templates (v2) from an uploaded file or a URL, each container template a user template. */
  async import(req: ImportTemplatesRequest): Promise<ImportTemplatesReply> {
    const input = req.url !== undefined ? await this.fetchUrl(req.url) : req.catalogue;
    const result = importCatalogue(input);
    const reply: ImportTemplatesReply = { imported: [], skipped: [...result.skipped] };
    for (const t of result.templates) {
      if (await this.deps.store.exists('user', t.name)) {
        reply.skipped.push({
          title: t.meta.title,
          reason: `a user template "${t.name}" exists already, skipped`,
        });
        continue;
      }
      await this.deps.store.createUser(t.name, {
        meta: t.meta,
        compose: t.compose,
        envExample: t.envExample || null,
      });
      reply.imported.push({ id: `user/${t.name}`, title: t.meta.title });
    }
    this.deps.log.info(
      { imported: reply.imported.length, skipped: reply.skipped.length, url: req.url },
      'templates imported',
    );
    return reply;
  }
}
