import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger; modules take `logger.child({ module: 'name' })`. */
export function createLogger(level: string = process.env.BERTH_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'berth' } });
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
