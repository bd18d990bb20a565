import { createCookie, redirect } from "@remix-run/node";
import type { Types } from "mongoose";
import { MemberAccess, memberAccessId } from "../models/member-access";
import { User } from "../models/user";
import { recordAudit } from "./data/audit.server";
import { burnPasswordCheck, verifyPassword } from "./data/passwords.server";
import { clearSlotGroup, clearSlots, hasMarker, releaseSlot, reserveSlot, setMarker } from "./data/rate-limit.server";
import {
  createSession,
  deleteSession,
  deleteUserSessions,
  findSessionUserId,
  SESSION_TTL_MS,
} from "./data/sessions.server";
import type { TenantView } from "./data/tenants.server";
import { connectDb } from "./db.server";
import { getEnv, sessionSecrets } from "./env.server";
import { oncePerRequest } from "./request-scope.server";
import type { Role } from "./lib/domain";
import { permissionsFor, type Permission } from "./lib/permissions";

/**
 * Login throttling (decision 015), every attempt reserved before the password is checked:
 * - `perAccount` tries per account from one address per window (a stranger's guesses lock out
 *   only the stranger's address);
 * - `addressesPerAccount` new addresses per account per window (guessing from many addresses is
 *   slow; addresses that logged in to the account before are exempt, so a stranger cannot lock
 *   its owner out from a known address);
 * - `perIp` tries per address over all accounts.
 */
export const LOGIN_LIMITS = {
  windowMs: 15 * 60 * 1000,
  perAccount: 5,
  addressesPerAccount: 5,
  perIp: 30,
  knownAddressMs: 90 * 24 * 60 * 60 * 1000,
} as const;

const loginGroup = (email: string) => `login:${email}`;
const accountAddressCounter = (email: string, ip: string) => `login:acct-ip:${email}|${ip}`;

export type LoginReservation = { ok: true } | { ok: false; scope: "account" | "ip"; retryAfterMinutes: number };

/**
 * Reserves one password check for `email` from `ip`; call BEFORE checking the password. A refusal
 * has already counted nothing more than the slots it could take.
 */
export async function reserveLoginAttempt({ email, ip, now = Date.now() }: { email: string; ip: string; now?: number }): Promise<LoginReservation> {
  const { windowMs, perAccount, addressesPerAccount, perIp } = LOGIN_LIMITS;
  const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));
  const byIp = await reserveSlot({ counter: `login:ip:${ip}`, group: `login-ip:${ip}`, limit: perIp, windowMs, now });
  if (!byIp.ok) return { ok: false, scope: "ip", retryAfterMinutes: minutes(byIp.retryAfterSeconds) };
  const byAccount = await reserveSlot({ counter: accountAddressCounter(email, ip), group: loginGroup(email), limit: perAccount, windowMs, now });
  if (!byAccount.ok) return { ok: false, scope: "account", retryAfterMinutes: minutes(byAccount.retryAfterSeconds) };
  if (await hasMarker(`login:known:${email}|${ip}`, now)) return { ok: true };
  // A new address for this account: one of `addressesPerAccount` per window, kept by a marker so
  // the address's later tries in the window do not take another.
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const admitted = `login:acct-addr-in:${email}|${windowStart}|${ip}`;
  if (await hasMarker(admitted, now)) return { ok: true };
  const address = await reserveSlot({ counter: `login:acct-addr:${email}`, group: loginGroup(email), limit: addressesPerAccount, windowMs, now });
  if (!address.ok) return { ok: false, scope: "account", retryAfterMinutes: minutes(address.retryAfterSeconds) };
  await setMarker(admitted, loginGroup(email), new Date(windowStart + windowMs));
  return { ok: true };
}

/**
 * After a correct password: the address's failures are forgiven, the address becomes known, and
 * the try does not count against the address's limit (an office behind one NAT address logs in
 * many people each morning; only wrong passwords use the address's 30 tries up).
 */
export async function loginSucceeded({ email, ip, now = Date.now() }: { email: string; ip: string; now?: number }): Promise<void> {
  await clearSlots(accountAddressCounter(email, ip), LOGIN_LIMITS.perAccount, LOGIN_LIMITS.windowMs, now);
  await releaseSlot(`login:ip:${ip}`, LOGIN_LIMITS.perIp, LOGIN_LIMITS.windowMs, now);
  await setMarker(`login:known:${email}|${ip}`, `login-known:${email}`, new Date(now + LOGIN_LIMITS.knownAddressMs));
}

/** A password reset lifts every login limit of the account (not its known addresses). */
export async function clearLoginLimits(email: string): Promise<void> {
  await clearSlotGroup(loginGroup(email));
}

function sessionCookie() {
  const env = getEnv();
  return createCookie("__sg_session", {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: env.NODE_ENV === "production" && env.APP_URL.startsWith("https://"),
    secrets: sessionSecrets(),
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function clientIp(request: Request): string {
  // Set by the Express server from the socket (and X-Forwarded-For only when TRUST_PROXY is on).
  return request.headers.get("x-sg-client-ip") ?? "unknown";
}

/** Serializes a session token into the signed cookie (used at login and by tests). */
export function sessionCookieFor(token: string): Promise<string> {
  return sessionCookie().serialize(token);
}

async function readToken(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

export type SessionUser = {
  id: string;
  _id: Types.ObjectId;
  email: string;
  name: string;
  locale: "zh-CN" | "en";
  platformAdmin: boolean;
};

/** Session → user, two `_id` reads, once per request (decision 010). */
export function getUser(request: Request): Promise<SessionUser | null> {
  return oncePerRequest("user", () => readUser(request));
}

async function readUser(request: Request): Promise<SessionUser | null> {
  const token = await readToken(request);
  if (!token) return null;
  await connectDb();
  const userId = await findSessionUserId(token);
  if (!userId) return null;
  const user = await User.findOne({ _id: userId }).lean();
  if (!user || user.disabled) return null;
  return {
    id: String(user._id),
    _id: user._id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    platformAdmin: user.platformAdmin,
  };
}

export type Member = {
  user: SessionUser;
  tenantId: Types.ObjectId;
  roles: Role[];
  enterpriseId: Types.ObjectId | null;
  /** Districts (GB/T 2260 county codes) the member is limited to; empty = the whole tenant. */
  districtCodes: string[];
  permissions: Permission[];
};

/** The user's roles in a tenant: one `_id` read of their access document (models/member-access.ts). */
function readAccess(tenantId: Types.ObjectId, userId: Types.ObjectId) {
  return MemberAccess.findOne({ _id: memberAccessId(tenantId, userId) })
    .select({ roles: 1, enterpriseIds: 1, districtCodes: 1 })
    .lean<{ roles: Role[]; enterpriseIds: Types.ObjectId[]; districtCodes?: string[] }>();
}

export function getMember(request: Request, tenant: TenantView): Promise<Member | null> {
  return oncePerRequest(`member:${String(tenant._id)}`, () => readMember(request, tenant));
}

async function readMember(request: Request, tenant: TenantView): Promise<Member | null> {
  const user = await getUser(request);
  if (!user) return null;
  const access = await readAccess(tenant._id, user._id);
  if (!access && !user.platformAdmin) return null;
  const roles = access?.roles ?? [];
  const enterpriseId = access?.enterpriseIds[0] ?? null;
  return {
    user,
    tenantId: tenant._id,
    roles,
    enterpriseId,
    // A platform admin sees the whole tenant whatever memberships they also hold.
    districtCodes: user.platformAdmin ? [] : (access?.districtCodes ?? []),
    permissions: permissionsFor(roles, user.platformAdmin),
  };
}

export async function requireMember(request: Request, tenant: TenantView): Promise<Member> {
  const member = await getMember(request, tenant);
  if (!member) {
    const url = new URL(request.url);
    const redirectTo = `${url.pathname}${url.search}`;
    throw redirect(`/t/${tenant.slug}/login?redirectTo=${encodeURIComponent(redirectTo)}`);
  }
  return member;
}

export function forbidden(): Response {
  return new Response("Forbidden", { status: 403 });
}

export function requirePermission(member: Member, ...anyOf: Permission[]): void {
  if (!anyOf.some((p) => member.permissions.includes(p))) throw forbidden();
}

export type LoginResult =
  | { ok: true; setCookie: string; user: SessionUser }
  | { ok: false; error: "invalid" | "rateLimited" | "noMembership" | "disabled"; retryAfterMinutes?: number };

export async function attemptLogin({
  tenant,
  email,
  password,
  ip,
  userAgent,
}: {
  tenant: TenantView;
  email: string;
  password: string;
  ip: string;
  userAgent: string;
}): Promise<LoginResult> {
  await connectDb();
  const reservation = await reserveLoginAttempt({ email, ip });
  if (!reservation.ok) {
    await recordAudit({
      tenantId: tenant._id,
      action: "login.rateLimited",
      ip,
      target: { type: "user", id: email, label: email },
      details: { scope: reservation.scope },
    });
    return { ok: false, error: "rateLimited", retryAfterMinutes: reservation.retryAfterMinutes };
  }

  const user = await User.findOne({ email }).lean();
  const valid = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (!user || !valid) {
    await recordAudit({
      tenantId: tenant._id,
      action: "login.failure",
      ip,
      actor: user ? { id: user._id, email: user.email } : null,
      target: { type: "user", id: user ? String(user._id) : email, label: email },
    });
    return { ok: false, error: "invalid" };
  }
  if (user.disabled) return { ok: false, error: "disabled" };
  if (!(await readAccess(tenant._id, user._id)) && !user.platformAdmin) {
    await recordAudit({
      tenantId: tenant._id,
      action: "login.failure",
      ip,
      actor: { id: user._id, email: user.email },
      target: { type: "user", id: String(user._id), label: email },
      details: { reason: "no-membership" },
    });
    return { ok: false, error: "noMembership" };
  }
  await loginSucceeded({ email, ip });
  const { token } = await createSession({ userId: user._id, ip, userAgent });
  await recordAudit({
    tenantId: tenant._id,
    action: "login.success",
    ip,
    actor: { id: user._id, email: user.email },
    target: { type: "user", id: String(user._id), label: user.email },
  });
  return {
    ok: true,
    setCookie: await sessionCookie().serialize(token),
    user: {
      id: String(user._id),
      _id: user._id,
      email: user.email,
      name: user.name,
      locale: user.locale,
      platformAdmin: user.platformAdmin,
    },
  };
}

/**
 * Starts a session for a user who has just proved who they are some other way than the login form
 * (e.g. by accepting an invitation); returns the Set-Cookie header.
 */
export async function startSessionFor(user: { _id: Types.ObjectId }, request: Request): Promise<string> {
  const { token } = await createSession({
    userId: user._id,
    ip: clientIp(request),
    userAgent: request.headers.get("User-Agent") ?? "",
  });
  return sessionCookie().serialize(token);
}

/** Ends this browser's session; returns the Set-Cookie header that clears the cookie. */
export async function logout(request: Request): Promise<string> {
  const token = await readToken(request);
  if (token) await deleteSession(token);
  return sessionCookie().serialize("", { maxAge: 0 });
}

export async function logoutEverywhere(request: Request, userId: Types.ObjectId): Promise<string> {
  await deleteUserSessions(userId);
  return logout(request);
}

export async function endOtherSessions(request: Request, userId: Types.ObjectId): Promise<number> {
  const token = await readToken(request);
  return deleteUserSessions(userId, token ?? undefined);
}
