import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteRecordRaw,
} from 'vue-router';
import { setUnauthenticatedHandler } from './api/http';
import { LOCAL_HOST } from './lib/stack-ref';
import { useAuthStore } from './stores/auth-store';

const param = (route: RouteLocationNormalized, key: string): string => {
  const v = route.params[key];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
};
const refProps = (route: RouteLocationNormalized) => ({
  host: param(route, 'host') || LOCAL_HOST,
  name: param(route, 'name'),
});

/** A stack's page, its logs and its shells under `base`. */
function stackRoutes(base: string, prefix: string): RouteRecordRaw[] {
  return [
    {
      path: base,
      name: `${prefix}stack`,
      component: () => import('./pages/StackPage.vue'),
      props: refProps,
    },
    {
      path: `${base}/logs`,
      name: `${prefix}logs`,
      component: () => import('./pages/LogsPage.vue'),
      props: refProps,
    },
    {
      path: `${base}/shell/:service`,
      name: `${prefix}shell`,
      component: () => import('./pages/ShellPage.vue'),
      props: (route) => ({ ...refProps(route), service: param(route, 'service') }),
    },
  ];
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    {
      path: '/login',
      name: 'login',
      component: () => import('./pages/LoginPage.vue'),
      meta: { public: true },
    },
    {
      path: '/setup',
      name: 'setup',
      component: () => import('./pages/SetupPage.vue'),
      meta: { public: true },
    },
    { path: '/', name: 'home', component: () => import('./pages/HomePage.vue') },
    { path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue') },
    { path: '/convert', name: 'convert', component: () => import('./pages/ConvertPage.vue') },
    { path: '/images', name: 'images', component: () => import('./pages/ImagesPage.vue') },
    { path: '/volumes', name: 'volumes', component: () => import('./pages/VolumesPage.vue') },
    { path: '/networks', name: 'networks', component: () => import('./pages/NetworksPage.vue') },
    { path: '/swarm', name: 'swarm', component: () => import('./pages/SwarmNodesPage.vue') },
    { path: '/stacks/new', name: 'new-stack', component: () => import('./pages/NewStackPage.vue') },
    // A stack is {host, name}: `/stacks/...` is the local host, `/hosts/<id>/stacks/...` any host.
    ...stackRoutes('/stacks/:name', ''),
    ...stackRoutes('/hosts/:host/stacks/:name', 'host-'),
    {
      path: '/hosts',
      name: 'hosts',
      component: () => import('./pages/HostsPage.vue'),
      meta: { admin: true },
    },
    // Users, tokens and the audit log (issue 18).
    {
      path: '/invite',
      name: 'invite',
      component: () => import('./pages/InvitePage.vue'),
      meta: { public: true },
    },
    { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue') },
    {
      path: '/users',
      name: 'users',
      component: () => import('./pages/UsersPage.vue'),
      meta: { admin: true },
    },
    {
      path: '/audit',
      name: 'audit',
      component: () => import('./pages/AuditPage.vue'),
      meta: { admin: true },
    },
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue') },
  ],
});

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  if (!auth.loaded) await auth.refresh().catch(() => undefined);
  if (auth.setupRequired) return to.name === 'setup' ? true : { name: 'setup' };
  if (to.name === 'setup') return auth.user ? { name: 'home' } : { name: 'login' };
  if (!to.meta.public && !auth.user) return { name: 'login', query: { redirect: to.fullPath } };
  if (to.name === 'login' && auth.user) return { name: 'home' };
  if (to.meta.admin && !auth.can('admin')) return { name: 'home' };
  return true;
});

// A lost session anywhere sends the user to login, and back to where they were afterwards.
setUnauthenticatedHandler(() => {
  const auth = useAuthStore();
  auth.sessionLost();
  const here = router.currentRoute.value;
  if (!here.meta.public) void router.push({ name: 'login', query: { redirect: here.fullPath } });
});
