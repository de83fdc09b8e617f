import { createHash } from 'node:crypto';
import type { AccessService } from '../auth/access-service.js';
import type { AuditService } from '../auth/audit-service.js';
import { auditCsv, auditNdjson } from '../auth/audit-log.js';
import type { Principal } from './principal.js';
import { authUserOf, startSession } from './auth-routes.js';
import type { Handlers } from './route.js';
import type { UserSessionRow } from './sqlite-session-store.js';

/** The sessions side the account routes need. */
export interface UserSessions {
  list(username: string): UserSessionRow[];
  /** Ends every session of a user but `exceptSid`; their sockets go with them. */
  end(username: string, exceptSid?: string): number;
}

type AccountOps =
  | 'listUsers'
  | 'createUser'
  | 'updateUser'
  | 'deleteUser'
  | 'acceptInvite'
  | 'listSessions'
  | 'endOtherSessions'
  | 'listTokens'
  | 'createToken'
  | 'revokeToken'
  | 'getAudit'
  | 'getSettings'
  | 'updateSettings';

// route() lets no one without a principal reach a non-public operation.
const who = (p: Principal | null): Principal => p as Principal;
const sessionDigest = (sid: string): string => createHash('sha256').update(sid).digest('hex').slice(0, 16);

export function accountHandlers(
  access: AccessService,
  audit: AuditService,
  sessions: UserSessions,
): Handlers<AccountOps> {
  return {
    listUsers: () => access.listUsers(),
    createUser: async ({ body, req }) => {
      const { user, inviteToken } = await access.createUser(body);
      // In the fragment, so the invite never reaches a server's access log.
      const inviteUrl = inviteToken
        ? `${req.protocol}://${req.get('host') ?? 'localhost'}/invite#${inviteToken}`
        : null;
      return { user, inviteUrl };
    },
    updateUser: ({ params, body }) => {
      const user = access.updateUser(params.username, body);
      if (user.disabled) sessions.end(user.username);
      return user;
    },
    deleteUser: ({ params }) => {
      access.deleteUser(params.username);
      sessions.end(params.username);
      return { ok: true as const };
    },
    acceptInvite: async ({ body, req }) => {
      const username = await access.acceptInvite(body.token, body.password);
      await startSession(req, { username });
      return { user: authUserOf(access, username) };
    },
    listSessions: ({ principal }) => {
      const p = who(principal);
      return sessions.list(p.username).map((s) => ({
        id: sessionDigest(s.sid),
        current: s.sid === p.sessionId,
        createdAt: s.createdAt,
        address: s.address,
        expiresAt: s.expiresAt,
      }));
    },
    endOtherSessions: ({ principal }) => {
      const p = who(principal);
      return { ended: sessions.end(p.username, p.sessionId ?? '') };
    },
    listTokens: ({ principal, query }) => access.listTokens(toIdentity(who(principal)), query.user),
    createToken: ({ principal, body }) => access.createToken(toIdentity(who(principal)), body),
    revokeToken: ({ principal, params }) => {
      access.revokeToken(toIdentity(who(principal)), params.id);
      return { ok: true as const };
    },
    getAudit: ({ query, res }) => {
      const entries = audit.query({ limit: query.limit, user: query.user, stack: query.stack });
      if (query.format === 'csv' || query.format === 'ndjson') {
        const csv = query.format === 'csv';
        res
          .status(200)
          .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .attachment(`berth-audit.${csv ? 'csv' : 'ndjson'}`)
          .send(csv ? auditCsv(entries) : auditNdjson(entries));
      }
      // route() sends nothing once the download is written.
      return entries;
    },
    getSettings: () => audit.settings(),
    updateSettings: ({ body }) => audit.updateSettings(body),
  };
}

function toIdentity(p: Principal) {
  return { username: p.username, permissions: p.permissions, via: p.via, scope: p.scope ?? null };
}
