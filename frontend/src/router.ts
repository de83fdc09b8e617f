import { createRouter, createWebHistory } from 'vue-router';
import { setUnauthenticatedHandler } from './api/http';
import { useAuthStore } from './stores/auth-store';

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
    { path: '/stacks/:name', name: 'stack', component: () => import('./pages/StackPage.vue'), props: true },
    {
      path: '/stacks/:name/logs',
      name: 'logs',
      component: () => import('./pages/LogsPage.vue'),
      props: true,
    },
    {
      path: '/stacks/:name/shell/:service',
      name: 'shell',
      component: () => import('./pages/ShellPage.vue'),
      props: true,
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
