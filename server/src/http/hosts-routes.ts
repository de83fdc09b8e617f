import type { HostDirectory } from '../agents/host-directory.js';
import type { Handlers } from './route.js';

type HostOps = 'listHosts' | 'createHost' | 'deleteHost';

/** Hosts: list, add (an enrolment token) and revoke. */
export function hostsHandlers(hosts: HostDirectory, publicUrl: string | undefined): Handlers<HostOps> {
  return {
    listHosts: () => hosts.list(),
    // The command names the hub as the admin reached it (or BERTH_PUBLIC_URL): agents dial that.
    createHost: ({ body, req }) => hosts.create(body.name, publicUrl ?? `${req.protocol}://${req.host}`),
    deleteHost: ({ params }) => {
      hosts.remove(params.id);
      return { ok: true as const };
    },
  };
}
