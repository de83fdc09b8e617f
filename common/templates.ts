// Stack templates: a compose file, an optional `.env.example` and `template.json` metadata whose
// typed variables build the "New stack" form and end up in the new stack's `.env`.
import { z } from 'zod';
import { NewStackName, StackDetail, StackName } from './stack.js';

export const TEMPLATE_VARIABLE_TYPES = [
  'text',
  'number',
  'boolean',
  'select',
  'port',
  'path',
  'secret',
] as const;
export const TemplateVariableType = z.enum(TEMPLATE_VARIABLE_TYPES);
export type TemplateVariableType = z.infer<typeof TemplateVariableType>;

/** An `.env` key as compose reads it. */
export const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_SECRET_LENGTH = 32;

export const SelectOption = z.object({
  value: z.string().max(1024),
  label: z.string().max(200).optional(),
});
export type SelectOption = z.infer<typeof SelectOption>;

export const TemplateVariable = z
  .object({
    name: z.string().regex(ENV_KEY_PATTERN, 'a variable name is an .env key: letters, digits and "_"'),
    label: z.string().min(1).max(200),
    type: TemplateVariableType,
    default: z.string().max(4096).optional(),
    /** The choices of a `select`. */
    options: z.array(SelectOption).min(1).max(200).optional(),
    /** Length of a generated `secret`. */
    length: z.number().int().min(8).max(256).optional(),
    required: z.boolean().optional(),
    description: z.string().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'select' && !v.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select needs options' });
    }
    if (v.type === 'select' && v.options && v.default !== undefined && v.default !== '') {
      if (!v.options.some((o) => o.value === v.default)) {
        ctx.addIssue({ code: 'custom', path: ['default'], message: 'the default is not one of the options' });
      }
    }
  });
export type TemplateVariable = z.infer<typeof TemplateVariable>;

/** `template.json`. */
export const TemplateMeta = z.object({
  title: z.string().min(1).max(200),
  description: z.string().max(4000).default(''),
  category: z.string().max(64).default('other'),
  variables: z
    .array(TemplateVariable)
    .max(200)
    .default([])
    .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, 'variable names must be unique'),
});
export type TemplateMeta = z.infer<typeof TemplateMeta>;

/** A template's folder name: already a valid stack name, so it can be the default one. */
export const TEMPLATE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const TemplateName = z
  .string()
  .regex(TEMPLATE_NAME_PATTERN, 'a template name is 1 to 64 lower-case letters, digits, "_" or "-"');

export const TemplateSource = z.enum(['builtin', 'user']);
export type TemplateSource = z.infer<typeof TemplateSource>;

/** `builtin/<name>` (the example stacks shipped with Berth) or `user/<name>` (the data dir). */
export const TemplateId = z
  .string()
  .regex(/^(builtin|user)\/[a-z0-9][a-z0-9_-]{0,63}$/, 'a template id is builtin/<name> or user/<name>');
export type TemplateId = z.infer<typeof TemplateId>;

export const TemplateSummary = z.object({
  id: z.string(),
  source: TemplateSource,
  name: z.string(),
  title: z.string(),
  description: z.string(),
  category: z.string(),
  variables: z.array(TemplateVariable),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;
export const TemplateList = z.array(TemplateSummary);

export const TemplateDetail = TemplateSummary.extend({
  compose: z.string(),
  /** The template's `.env.example`, null when it has none. */
  envExample: z.string().nullable(),
});
export type TemplateDetail = z.infer<typeof TemplateDetail>;

/** A value from the form: booleans and numbers may come as such or as text. */
export const TemplateValue = z.union([z.string().max(4096), z.number(), z.boolean()]);
export const TemplateValues = z.record(z.string().max(128), TemplateValue);
export type TemplateValues = z.infer<typeof TemplateValues>;

export const CreateFromTemplateRequest = z.object({
  name: NewStackName,
  template: TemplateId,
  /** Keyed by variable name; missing or empty: the default, or a generated secret. */
  values: TemplateValues.default({}),
});
export type CreateFromTemplateRequest = z.infer<typeof CreateFromTemplateRequest>;

export const CreateFromTemplateReply = StackDetail.extend({
  /** The secrets Berth generated (their values are in the stack's `.env`). */
  generated: z.array(z.string()),
});
export type CreateFromTemplateReply = z.infer<typeof CreateFromTemplateReply>;

export const SaveTemplateRequest = z.object({
  /**
   * The stack whose compose file (and `.env`, turned into `.env.example`) becomes the template. A
   * schema of its own, not StackName itself: a template is global, so a principal limited to some
   * stacks is refused this operation whichever stack it names (as import and delete).
   */
  stack: StackName.describe('the stack saved as a template'),
  name: TemplateName,
  title: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  category: z.string().max(64).optional(),
  /** Omitted: inferred from the stack's `.env` keys. */
  variables: z.array(TemplateVariable).max(200).optional(),
});
export type SaveTemplateRequest = z.infer<typeof SaveTemplateRequest>;

/** Largest catalogue fetched from a URL. */
export const MAX_CATALOGUE_BYTES = 4 * 1024 * 1024;

export const ImportTemplatesRequest = z
  .object({
    /** An uploaded Portainer app-template file (`{version: "2", templates: [...]}`). */
    catalogue: z.unknown().optional(),
    /** Or where to fetch it (http or https). */
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
  })
  .refine((r) => (r.catalogue === undefined) !== (r.url === undefined), 'give either catalogue or url');
export type ImportTemplatesRequest = z.infer<typeof ImportTemplatesRequest>;

export const ImportTemplatesReply = z.object({
  imported: z.array(z.object({ id: z.string(), title: z.string() })),
  skipped: z.array(z.object({ title: z.string(), reason: z.string() })),
});
export type ImportTemplatesReply = z.infer<typeof ImportTemplatesReply>;

/** Keys whose values are secrets: blanked in a saved template's `.env.example`. */
export const SECRET_KEY_PATTERN = /pass|secret|token|(^|_)key($|_)|api_?key|salt|private|credential|auth/i;

const label = (key: string) =>
  key
    .toLowerCase()
    .split('_')
    .filter(Boolean)
    .join(' ')
    .replace(/^./, (c) => c.toUpperCase());

/** `KEY=value` lines of an `.env` text (with `export`, quotes removed); comments and blanks skipped. */
export function envEntries(text: string): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    let value = (m[2] ?? '').trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out.push({ key: m[1], value });
  }
  return out;
}

/** Variables guessed from a stack's `.env`: secrets, ports, numbers, booleans, paths, else text. */
export function inferVariables(envText: string | null): TemplateVariable[] {
  const seen = new Set<string>();
  const out: TemplateVariable[] = [];
  for (const { key, value } of envEntries(envText ?? '')) {
    if (seen.has(key)) continue;
    seen.add(key);
    const base = { name: key, label: label(key) };
    if (SECRET_KEY_PATTERN.test(key)) {
      out.push({
        ...base,
        type: 'secret',
        length: Math.min(256, Math.max(DEFAULT_SECRET_LENGTH, value.length)),
      });
    } else if (/port$/i.test(key) && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535) {
      out.push({ ...base, type: 'port', default: value });
    } else if (/^-?\d+(\.\d+)?$/.test(value)) {
      out.push({ ...base, type: 'number', default: value });
    } else if (/^(true|false)$/i.test(value)) {
      out.push({ ...base, type: 'boolean', default: value.toLowerCase() });
    } else if (value.startsWith('/') && !/\s/.test(value)) {
      out.push({ ...base, type: 'path', default: value });
    } else {
      out.push({ ...base, type: 'text', ...(value ? { default: value } : {}) });
    }
  }
  return out;
}
