import { EventEmitter } from 'node:events';

/**
 * Changes that alter what someone may do right now: a user changed (role, scope, disabled,
 * deleted) or a token was revoked. The realtime layer listens and re-checks or ends sockets.
 */
export class AccessEvents {
  private readonly emitter = new EventEmitter();

  userChanged(username: string): void {
    this.emitter.emit('user', username);
  }

  tokenRevoked(id: string): void {
    this.emitter.emit('token', id);
  }

  onUserChanged(listener: (username: string) => void): () => void {
    this.emitter.on('user', listener);
    return () => this.emitter.off('user', listener);
  }

  onTokenRevoked(listener: (id: string) => void): () => void {
    this.emitter.on('token', listener);
    return () => this.emitter.off('token', listener);
  }
}
