/**
 * Who may do what. Every route with `mutates: true` needs a logged-in session; read routes need
 * one too unless the owner left read access open on the LAN (`access.readOpen`, the default).
 *
 * Flow: no password yet -> POST /api/v1/auth/setup {password} sets it (only while none is set)
 * and logs in; afterwards POST /api/v1/auth/login {password} gives a session token, returned in
 * the JSON body (for scripts: `Authorization: Bearer <token>`) and as a cookie (for the page:
 * HttpOnly, SameSite=Strict, so other sites cannot ride on it). Failed attempts are rate-limited
 * per remote address. Only a salted PBKDF2 hash of the password is stored.
 */
import type { AppRequest, AppResponse, Route } from '../http-types';
import type { Clock } from '../ports';
import { errorResponse, jsonResponse, readJsonObject, unknownKeys } from '../http-util';
import { hashPassword, passwordProblem, verifyPassword } from './password-hash';
import { LoginRateLimiter } from './rate-limit';
import { SessionTable } from './sessions';

export const SESSION_COOKIE = 'meterbox_session';

export interface AccessStore {
  passwordHash(): string | undefined;
  readOpen(): boolean;
  /** Persist a new hash; throws (or returns a reason) when storage fails. */
  savePasswordHash(hash: string): string | undefined;
}

export interface AccessControlDeps {
  clock: Clock;
  randomBytes: (count: number) => Uint8Array;
  store: AccessStore;
  /** PBKDF2 iterations for new hashes (the count is stored with each hash). */
  passwordIterations: number;
}

export class AccessControl {
  private readonly sessions: SessionTable;
  private readonly limiter = new LoginRateLimiter();

  constructor(private readonly deps: AccessControlDeps) {
    this.sessions = new SessionTable(deps.randomBytes);
  }

  tokenOf(request: AppRequest): string | undefined {
    const auth = request.headers['authorization'];
    if (auth && auth.slice(0, 7).toLowerCase() === 'bearer ') return auth.slice(7).trim();
    const cookie = request.headers['cookie'];
    if (!cookie) return undefined;
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  isAuthenticated(request: AppRequest): boolean {
    return this.sessions.check(this.tokenOf(request), this.deps.clock.nowMs());
  }

  canRead(request: AppRequest): boolean {
    return this.deps.store.readOpen() || this.isAuthenticated(request);
  }

  /** The refusal for a request that may not pass, or undefined when it may. */
  gate(request: AppRequest, kind: 'mutate' | 'read' | 'public'): AppResponse | undefined {
    if (kind === 'public') return undefined;
    if (kind === 'read' && this.canRead(request)) return undefined;
    if (kind === 'mutate' && this.isAuthenticated(request)) return undefined;
    if (this.deps.store.passwordHash() === undefined) {
      return errorResponse(401, 'no password set yet: choose one with POST /api/v1/auth/setup', { setupRequired: true });
    }
    return errorResponse(401, 'login required', { loginRequired: true }, { 'www-authenticate': 'Bearer' });
  }

  revokeAllSessions(): void {
    this.sessions.revokeAll();
  }

  routes(): Route[] {
    return [
      { method: 'GET', path: '/api/v1/auth/status', public: true, handler: (r) => this.status(r) },
      { method: 'POST', path: '/api/v1/auth/setup', public: true, handler: (r) => this.setup(r) },
      { method: 'POST', path: '/api/v1/auth/login', public: true, handler: (r) => this.login(r) },
      { method: 'POST', path: '/api/v1/auth/logout', public: true, handler: (r) => this.logout(r) },
      { method: 'POST', path: '/api/v1/auth/password', mutates: true, handler: (r) => this.changePassword(r) },
    ];
  }

  private status(request: AppRequest): AppResponse {
    return jsonResponse(200, {
      passwordSet: this.deps.store.passwordHash() !== undefined,
      authenticated: this.isAuthenticated(request),
      readOpen: this.deps.store.readOpen(),
    });
  }

  private loggedIn(status: number, token: string): AppResponse {
    return jsonResponse(status, { token }, {
      'set-cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`,
    });
  }

  private setup(request: AppRequest): AppResponse {
    if (this.deps.store.passwordHash() !== undefined) {
      return errorResponse(409, 'a password is already set: log in, then change it with POST /api/v1/auth/password');
    }
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const extra = unknownKeys(body.value, ['password']);
    if (extra.length) return errorResponse(400, `unknown field "${extra[0]}"`);
    const problem = passwordProblem(body.value.password);
    if (problem) return errorResponse(400, problem);
    const failure = this.store(body.value.password as string);
    if (failure) return errorResponse(500, failure);
    return this.loggedIn(201, this.sessions.create(this.deps.clock.nowMs()));
  }

  private login(request: AppRequest): AppResponse {
    const remote = request.remote ?? 'unknown';
    const nowMs = this.deps.clock.nowMs();
    const waitMs = this.limiter.retryAfterMs(remote, nowMs);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      return errorResponse(429, `too many failed attempts; try again in ${seconds} s`, { retryAfterS: seconds }, { 'retry-after': String(seconds) });
    }
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const stored = this.deps.store.passwordHash();
    if (stored === undefined) return errorResponse(409, 'no password set yet: choose one with POST /api/v1/auth/setup', { setupRequired: true });
    const password = body.value.password;
    if (typeof password !== 'string' || password.length > 1024 || !verifyPassword(password, stored)) {
      this.limiter.recordFailure(remote, nowMs);
      return errorResponse(401, 'wrong password');
    }
    this.limiter.recordSuccess(remote);
    return this.loggedIn(200, this.sessions.create(nowMs));
  }

  private logout(request: AppRequest): AppResponse {
    this.sessions.revoke(this.tokenOf(request));
    return jsonResponse(200, { loggedOut: true }, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
  }

  private changePassword(request: AppRequest): AppResponse {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const extra = unknownKeys(body.value, ['currentPassword', 'newPassword']);
    if (extra.length) return errorResponse(400, `unknown field "${extra[0]}"`);
    const stored = this.deps.store.passwordHash();
    const current = body.value.currentPassword;
    if (stored === undefined || typeof current !== 'string' || !verifyPassword(current, stored)) {
      this.limiter.recordFailure(request.remote ?? 'unknown', this.deps.clock.nowMs());
      return errorResponse(403, 'current password is wrong');
    }
    const problem = passwordProblem(body.value.newPassword);
    if (problem) return errorResponse(400, 'newPassword: ' + problem);
    const failure = this.store(body.value.newPassword as string);
    if (failure) return errorResponse(500, failure);
    // Every other session ends with the old password; the caller gets a fresh one.
    this.sessions.revokeAll();
    return this.loggedIn(200, this.sessions.create(this.deps.clock.nowMs()));
  }

  private store(password: string): string | undefined {
    const hash = hashPassword(password, this.deps.randomBytes(16), this.deps.passwordIterations);
    return this.deps.store.savePasswordHash(hash);
  }
}
