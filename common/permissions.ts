// Plain constants, no zod: the SPA imports these without pulling the schema library in.

/** What an operation needs. Roles are sets of these; checked only by the transport wrappers. */
export const PERMISSIONS = ['read', 'operate', 'exec', 'edit', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Who may call an operation: `public` (no one needs to be signed in), `user` (anyone signed in,
 * for their own account), or a permission.
 */
export type Access = 'public' | 'user' | Permission;

export const ROLES = {
  viewer: ['read'],
  operator: ['read', 'operate', 'exec'],
  editor: ['read', 'operate', 'exec', 'edit'],
  admin: ['read', 'operate', 'exec', 'edit', 'admin'],
} as const satisfies Record<string, readonly Permission[]>;
export type Role = keyof typeof ROLES;

/** Whether a holder of `granted` may do what `access` asks; `public` and `user` need no permission. */
export function allows(granted: readonly Permission[], access: Access): boolean {
  return access === 'public' || access === 'user' || granted.includes(access);
}
