import type { Logger } from '../logger.js';
import type { LogService } from '../logs/log-service.js';
import type { Handlers } from './route.js';

/** GET /api/stacks/:name/logs: matching lines as an attachment. */
export function logsHandlers(logs: LogService, log: Logger): Handlers<'downloadLogs'> {
  return {
    downloadLogs: async ({ params, query, principal, res }) => {
      // Everything that can be refused (names, times, regex) is checked before the first byte.
      const dl = logs.download(params.name, query);
      log.info({ user: principal?.username, via: principal?.via, ...dl.describe }, 'logs downloaded');
      res.status(200);
      res.setHeader('Content-Type', dl.contentType);
      res.setHeader('Content-Disposition', `attachment; filename="${dl.filename}"`);
      res.setHeader('Cache-Control', 'no-store');
      let closed = false;
      res.on('close', () => (closed = true));
      const it = dl.body[Symbol.asyncIterator]();
      try {
        let chunk = '';
        for (let n = await it.next(); !n.done; n = await it.next()) {
          if (closed) break;
          chunk += n.value;
          if (chunk.length >= 64 * 1024) {
            if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
            chunk = '';
          }
        }
        if (chunk) res.write(chunk);
      } catch (err) {
        log.warn({ err: (err as Error).message, stack: params.name }, 'log download cut short');
      } finally {
        await it.return?.();
      }
      res.end();
    },
  };
}
