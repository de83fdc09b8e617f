import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Permission } from '../../../common/permissions';
import type { AuthUser } from '../../../common/users';
import { call } from '../api/http';
import { closeSocket } from '../api/socket';

export const useAuthStore = defineStore('auth', () => {
  const user = ref<AuthUser | null>(null);
  const setupRequired = ref(false);
  const loaded = ref(false);

  async function refresh(): Promise<void> {
    const status = await call('getAuthStatus');
    user.value = status.user;
    setupRequired.value = status.setupRequired;
    loaded.value = true;
  }

  async function login(username: string, password: string): Promise<void> {
    const res = await call('login', { body: { username, password } });
    closeSocket(); // a socket opened before belongs to no session
    user.value = res.user;
  }

  async function setup(username: string, password: string): Promise<void> {
    const res = await call('setup', { body: { username, password } });
    closeSocket();
    user.value = res.user;
    setupRequired.value = false;
  }

  async function logout(): Promise<void> {
    await call('logout').catch(() => undefined);
    closeSocket();
    user.value = null;
  }

  function changePassword(currentPassword: string, newPassword: string): Promise<unknown> {
    return call('changePassword', { body: { currentPassword, newPassword } });
  }

  /**
   * Whether the user's role has a permission. A courtesy to hide what would be refused: the
   * server checks every operation itself.
   */
  function can(permission: Permission): boolean {
    return user.value?.permissions.includes(permission) ?? false;
  }

  async function acceptInvite(token: string, password: string): Promise<void> {
    const res = await call('acceptInvite', { body: { token, password } });
    closeSocket();
    user.value = res.user;
    setupRequired.value = false;
  }

  /** The session ended on the server (401 somewhere): forget the user. */
  function sessionLost(): void {
    closeSocket();
    user.value = null;
  }

  return {
    user,
    setupRequired,
    loaded,
    refresh,
    login,
    setup,
    logout,
    changePassword,
    sessionLost,
    can,
    acceptInvite,
  };
});
