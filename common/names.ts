// Plain constants, no zod: the SPA imports these without pulling the schema library in.

export const STACK_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Compose's own file names, in the order compose looks for them. */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
] as const;
