/** Log levels, lowest first. Kept free of zod so the SPA can import it without the schema library. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
