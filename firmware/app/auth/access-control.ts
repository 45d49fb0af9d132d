/**
 * Who may do what. Every route with `mutates: true` needs a logged-in session; read routes need
 * one too unless the owner left read access open on the LAN (`access.readOpen`, the default).
 *
 * Flow: no password yet -> POST /api/v1/auth/setup {password} sets it (only while none is set)
 * and logs in; afterwards POST /api/v1/auth/login {password} gives a session token, returned in
 * the JSON body (for scripts: `Authorization: Bearer <token>`) and as a cookie (for the page:
 * HttpOnly, SameSite=Strict, so other sites cannot ride on it). Only a salted PBKDF2 hash of the
 * password is stored (password-hash.ts); a login at an older iteration count stores a new hash.
 *
 * Password checks are throttled (login-throttle.ts): globally (checks in flight and per window,
 * refused with 503 before any hashing) and per source (a growing wait after 5 wrong passwords,
 * 429, never a lockout). The cookie also carries a "known browser" token, kept for a year: a
 * browser that logged in before tries in a lane of its own, so a stranger's flood or failures at
 * the owner's address do not keep the owner out. Cookie value: "<session>.<known browser>".
 */
import type { AppRequest, AppResponse, Route } from '../http-types';
import type { Clock } from '../ports';
import { errorResponse, jsonResponse, readJsonObject, unknownKeys } from '../http-util';
import { PASSWORD_MAX_CHECKED_LENGTH, hashPassword, needsRehash, passwordProblem, pureJsPbkdf2, verifyPassword } from './password-hash';
import type { Pbkdf2 } from './password-hash';
import { LoginThrottle, hostLoginThrottle } from './login-throttle';
import type { LoginAdmission, LoginLane, LoginThrottleOptions } from './login-throttle';
import { SessionTable } from './sessions';
import { addressKey } from '../lan/connection-table';

export const SESSION_COOKIE = 'meterbox_session';
/** How long a browser stays "known" after its last login. */
const KNOWN_BROWSER_MS = 365 * 24 * 3600000;
/** Wrong passwords a known-browser token survives (then it is an ordinary stranger again). */
const KNOWN_BROWSER_FAILURES = 5;

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
  /** The platform's PBKDF2 (password-hash.ts); the pure JavaScript one when absent. */
  pbkdf2?: Pbkdf2;
  /** Login limits (login-throttle.ts); the PC's when absent. */
  throttle?: LoginThrottleOptions;
}

export class AccessControl {
  private readonly sessions: SessionTable;
  private readonly knownBrowsers: SessionTable;
  private readonly knownFailures = new Map<string, number>();
  private readonly throttle: LoginThrottle;
  private readonly pbkdf2: Pbkdf2;

  constructor(private readonly deps: AccessControlDeps) {
    this.sessions = new SessionTable(deps.randomBytes);
    this.knownBrowsers = new SessionTable(deps.randomBytes, { idleMs: KNOWN_BROWSER_MS, lifetimeMs: KNOWN_BROWSER_MS, maxSessions: 16 });
    this.throttle = new LoginThrottle(deps.throttle ?? hostLoginThrottle);
    this.pbkdf2 = deps.pbkdf2 ?? pureJsPbkdf2;
  }

  private cookie(request: AppRequest): string | undefined {
    const cookie = request.headers['cookie'];
    if (!cookie) return undefined;
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  tokenOf(request: AppRequest): string | undefined {
    const auth = request.headers['authorization'];
    if (auth && auth.slice(0, 7).toLowerCase() === 'bearer ') return auth.slice(7).trim();
    const value = this.cookie(request);
    if (value === undefined) return undefined;
    const dot = value.indexOf('.');
    return dot < 0 ? value : value.slice(0, dot);
  }

  private knownBrowserOf(request: AppRequest): string | undefined {
    const value = this.cookie(request);
    const dot = value === undefined ? -1 : value.indexOf('.');
    return value === undefined || dot < 0 ? undefined : value.slice(dot + 1);
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

  /** A new session, and a known-browser token kept from the request or made anew. */
  private loggedIn(status: number, request: AppRequest, nowMs: number): AppResponse {
    const token = this.sessions.create(nowMs);
    let known = this.knownBrowserOf(request);
    if (!this.knownBrowsers.check(known, nowMs)) known = this.knownBrowsers.create(nowMs);
    return jsonResponse(
      status,
      { token },
      {
        'set-cookie': `${SESSION_COOKIE}=${token}.${known}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${KNOWN_BROWSER_MS / 1000}`,
      },
    );
  }

  /** Which lane a password check runs in: a logged-in caller or a known browser, or a stranger. */
  private laneOf(request: AppRequest, nowMs: number): LoginLane {
    if (this.isAuthenticated(request)) return 'known';
    return this.knownBrowsers.check(this.knownBrowserOf(request), nowMs) ? 'known' : 'stranger';
  }

  private refused(admission: LoginAdmission & { ok: false }): AppResponse {
    const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    return errorResponse(admission.status, admission.reason, { retryAfterS: seconds }, { 'retry-after': String(seconds) });
  }

  private async setup(request: AppRequest): Promise<AppResponse> {
    if (this.deps.store.passwordHash() !== undefined) {
      return errorResponse(409, 'a password is already set: log in, then change it with POST /api/v1/auth/password');
    }
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const extra = unknownKeys(body.value, ['password']);
    if (extra.length) return errorResponse(400, `unknown field "${extra[0]}"`);
    const problem = passwordProblem(body.value.password);
    if (problem) return errorResponse(400, problem);
    // Hashing costs the same as a check: it counts against the global limit too.
    const admission = this.throttle.admit(request.remote, 'stranger', this.deps.clock.nowMs());
    if (!admission.ok) return this.refused(admission);
    let hash: string;
    try {
      hash = await this.hash(body.value.password as string);
    } finally {
      this.throttle.finish(admission.ticket, true, this.deps.clock.nowMs());
    }
    // Two setups may hash at once: only the first one to finish claims the box.
    if (this.deps.store.passwordHash() !== undefined) return errorResponse(409, 'a password was set meanwhile: log in with it');
    const failure = this.deps.store.savePasswordHash(hash);
    if (failure) return errorResponse(500, failure);
    return this.loggedIn(201, request, this.deps.clock.nowMs());
  }

  /**
   * Checks a password under the throttle. Returns the refusal, or whether it was right.
   * A wrong password counts against the source (stranger lane) or the known-browser token.
   */
  private async check(request: AppRequest, password: string, stored: string): Promise<AppResponse | boolean> {
    const nowMs = this.deps.clock.nowMs();
    const lane = this.laneOf(request, nowMs);
    const admission = this.throttle.admit(request.remote, lane, nowMs);
    if (!admission.ok) return this.refused(admission);
    let right = false;
    try {
      right = password.length <= PASSWORD_MAX_CHECKED_LENGTH && (await verifyPassword(password, stored, this.pbkdf2));
    } finally {
      this.throttle.finish(admission.ticket, right, this.deps.clock.nowMs());
    }
    const known = this.knownBrowserOf(request);
    if (!right && lane === 'known' && known !== undefined) {
      const failures = (this.knownFailures.get(known) ?? 0) + 1;
      this.knownFailures.set(known, failures);
      if (failures >= KNOWN_BROWSER_FAILURES) {
        this.knownBrowsers.revoke(known);
        this.knownFailures.delete(known);
      }
    } else if (right && known !== undefined) this.knownFailures.delete(known);
    if (this.knownFailures.size > 16) this.knownFailures.clear();
    return right;
  }

  private async login(request: AppRequest): Promise<AppResponse> {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const stored = this.deps.store.passwordHash();
    if (stored === undefined) return errorResponse(409, 'no password set yet: choose one with POST /api/v1/auth/setup', { setupRequired: true });
    const password = body.value.password;
    if (typeof password !== 'string') return errorResponse(400, 'password must be a string');
    const checked = await this.check(request, password, stored);
    if (typeof checked !== 'boolean') return checked;
    if (!checked) return errorResponse(401, 'wrong password');
    if (needsRehash(stored, this.deps.passwordIterations)) {
      // An older, cheaper hash: store one at today's count while the password is at hand.
      // A failure here costs nothing: the old hash still works.
      await this.store(password).catch(() => undefined);
    }
    return this.loggedIn(200, request, this.deps.clock.nowMs());
  }

  private logout(request: AppRequest): AppResponse {
    this.sessions.revoke(this.tokenOf(request));
    this.knownBrowsers.revoke(this.knownBrowserOf(request));
    return jsonResponse(200, { loggedOut: true }, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
  }

  private async changePassword(request: AppRequest): Promise<AppResponse> {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const extra = unknownKeys(body.value, ['currentPassword', 'newPassword']);
    if (extra.length) return errorResponse(400, `unknown field "${extra[0]}"`);
    const stored = this.deps.store.passwordHash();
    const current = body.value.currentPassword;
    if (stored === undefined || typeof current !== 'string') return errorResponse(403, 'current password is wrong');
    const problem = passwordProblem(body.value.newPassword);
    if (problem) return errorResponse(400, 'newPassword: ' + problem);
    const checked = await this.check(request, current, stored);
    if (typeof checked !== 'boolean') return checked;
    if (!checked) {
      // A stolen session must not become an unthrottled password oracle.
      this.throttle.recordFailure(addressKey(request.remote), this.deps.clock.nowMs());
      return errorResponse(403, 'current password is wrong');
    }
    const failure = await this.store(body.value.newPassword as string);
    if (failure) return errorResponse(500, failure);
    // Every other session ends with the old password; the caller gets a fresh one.
    this.sessions.revokeAll();
    return this.loggedIn(200, request, this.deps.clock.nowMs());
  }

  private hash(password: string): Promise<string> {
    return hashPassword(password, this.deps.randomBytes(16), this.deps.passwordIterations, this.pbkdf2);
  }

  private async store(password: string): Promise<string | undefined> {
    return this.deps.store.savePasswordHash(await this.hash(password));
  }
}
