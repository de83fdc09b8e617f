// Plain constants, no zod: the SPA imports these without pulling the schema library in.

/** One folder level: what compose accepts as a folder and Berth can address safely (no `.`/`..`). */
const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._ -]{0,63}';

/** Nesting Berth ever reads (`BERTH_STACKS_DEPTH` is at most this). */
export const MAX_STACKS_DEPTH = 4;

/**
 * A stack's name is its folder path under the stacks dir, `/` between levels when
 * `BERTH_STACKS_DEPTH` > 1: capitals, dots and spaces are allowed (compose accepts such folders).
 */
export const STACK_NAME_PATTERN = new RegExp(`^${SEGMENT}(?:/${SEGMENT}){0,${MAX_STACKS_DEPTH - 1}}$`);

/** A stack Berth creates gets a name that is already a valid compose project name. */
export const NEW_STACK_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * The compose project of a stack, derived from its folder name as compose does
 * (compose-go's NormalizeProjectName): lower case, only `a-z0-9_-` kept, leading `_`/`-` dropped.
 */
export function projectNameOf(stack: string): string {
  const folder = stack.split('/').pop() ?? stack;
  return folder
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** Compose's own file names, in the order compose looks for them. */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
] as const;
