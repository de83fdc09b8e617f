import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AuthStatus, SessionUser } from '../../../common/api';
import { http } from '../api/http';
import { closeSocket } from '../api/socket';

export const useAuthStore = defineStore('auth', () => {
  const user = ref<SessionUser | null>(null);
  const setupRequired = ref(false);
  const loaded = ref(false);

  async function refresh(): Promise<void> {
    const status = await http.get<AuthStatus>('/api/auth/status');
    user.value = status.user;
    setupRequired.value = status.setupRequired;
    loaded.value = true;
  }

  async function login(username: string, password: string): Promise<void> {
    const res = await http.post<{ user: SessionUser }>('/api/auth/login', { username, password });
    closeSocket(); // a socket opened before belongs to no session
    user.value = res.user;
  }

  async function setup(username: string, password: string): Promise<void> {
    const res = await http.post<{ user: SessionUser }>('/api/auth/setup', { username, password });
    closeSocket();
    user.value = res.user;
    setupRequired.value = false;
  }

  async function logout(): Promise<void> {
    await http.post('/api/auth/logout').catch(() => undefined);
    closeSocket();
    user.value = null;
  }

  function changePassword(currentPassword: string, newPassword: string): Promise<unknown> {
    return http.post('/api/auth/password', { currentPassword, newPassword });
  }

  /** The session ended on the server (401 somewhere): forget the user. */
  function sessionLost(): void {
    closeSocket();
    user.value = null;
  }

  return { user, setupRequired, loaded, refresh, login, setup, logout, changePassword, sessionLost };
});
