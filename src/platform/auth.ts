// Who is calling: sessions are sealed tokens (no table on the hot path); API keys are looked up by
// hash through a function the accounts feature provides. Routes ask for a role with requireRole.
import type { FastifyRequest } from 'fastify';
import type { Role } from './db/schema.ts';
import { AppError } from './errors.ts';
import type { Signer } from './signing.ts';

export interface Principal {
  userId: string;
  role: Role;
  /** The store a merchant acts for. */
  storeId: string | null;
}

export const SESSION_COOKIE = 'hs_session';
const SESSION_PURPOSE = 'session';

interface SessionClaims {
  u: string;
  r: Role;
  s: string | null;
  /** expiry, epoch ms */
  e: number;
}

const roles: readonly Role[] = ['operator', 'merchant', 'promoter', 'buyer'];

export function issueSessionToken(signer: Signer, principal: Principal, expiresAtMs: number): string {
  const claims: SessionClaims = { u: principal.userId, r: principal.role, s: principal.storeId, e: expiresAtMs };
  return `hss.${signer.seal(SESSION_PURPOSE, claims)}`;
}

export function readSessionToken(signer: Signer, token: string, nowMs: number): Principal | null {
  if (!token.startsWith('hss.')) return null;
  const value = signer.open(SESSION_PURPOSE, token.slice(4));
  if (typeof value !== 'object' || value === null) return null;
  const claims = value as Partial<SessionClaims>;
  if (typeof claims.u !== 'string' || typeof claims.e !== 'number' || !roles.includes(claims.r as Role)) return null;
  if (claims.e <= nowMs) return null;
  return { userId: claims.u, role: claims.r as Role, storeId: typeof claims.s === 'string' ? claims.s : null };
}

/** Finds the principal of an API key, or null. Provided by the accounts feature. */
export type ApiKeyResolver = (key: string) => Promise<Principal | null>;

export interface Authenticator {
  signer: Signer;
  resolveApiKey: ApiKeyResolver;
  nowMs(): number;
}

/** The caller, from `Authorization: Bearer <session token or API key>` or the session cookie. */
export async function authenticate(auth: Authenticator, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization;
  let token: string | undefined;
  if (typeof header === 'string' && header.startsWith('Bearer ')) token = header.slice(7).trim();
  else token = request.cookies?.[SESSION_COOKIE];
  if (!token) return null;
  if (token.startsWith('hss.')) return readSessionToken(auth.signer, token, auth.nowMs());
  if (token.startsWith('hsk_')) return auth.resolveApiKey(token);
  return null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The caller if signed in with one of `allowed` roles; 401 when not signed in, 403 for another role. */
export function requireRole(request: FastifyRequest, ...allowed: Role[]): Principal {
  const principal = request.principal;
  if (!principal) throw new AppError('UNAUTHENTICATED');
  if (!allowed.includes(principal.role)) throw new AppError('FORBIDDEN');
  return principal;
}

/** A merchant's own store id; operators may act for any store they name. */
/** A merchant of this store or an operator: another store's is answered as if it did not exist. */
export function requireStoreStaff(request: FastifyRequest, storeId: string): Principal {
  const principal = requireRole(request, 'operator', 'merchant');
  storeScope(principal, storeId);
  return principal;
}

export function storeScope(principal: Principal, storeId: string): void {
  if (principal.role === 'operator') return;
  if (principal.role === 'merchant' && principal.storeId === storeId) return;
  // Not "forbidden": another's data is answered as if it did not exist.
  throw new AppError('NOT_FOUND');
}
