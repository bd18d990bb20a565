import { createCookie, redirect } from "@remix-run/node";
import type { Types } from "mongoose";
import { MemberAccess, memberAccessId } from "../models/member-access";
import { User } from "../models/user";
import { recordAudit } from "./data/audit.server";
import { burnPasswordCheck, verifyPassword } from "./data/passwords.server";
import { clearRateLimit, hitRateLimit, peekRateLimit } from "./data/rate-limit.server";
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

export const LOGIN_LIMITS = {
  windowMs: 15 * 60 * 1000,
  perAccount: 5,
  perIp: 30,
} as const;

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
  permissions: Permission[];
};

/** The user's roles in a tenant: one `_id` read of their access document (models/member-access.ts). */
function readAccess(tenantId: Types.ObjectId, userId: Types.ObjectId) {
  return MemberAccess.findOne({ _id: memberAccessId(tenantId, userId) })
    .select({ roles: 1, enterpriseIds: 1 })
    .lean<{ roles: Role[]; enterpriseIds: Types.ObjectId[] }>();
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

/** Only follow same-site relative paths after login. */
export function safeRedirect(to: unknown, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
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
  const accountKey = `login:acct:${email}`;
  const ipKey = `login:ip:${ip}`;
  const { windowMs, perAccount, perIp } = LOGIN_LIMITS;
  const [acct, byIp] = await Promise.all([
    peekRateLimit(accountKey, perAccount, windowMs),
    peekRateLimit(ipKey, perIp, windowMs),
  ]);
  if (acct.limited || byIp.limited) {
    await recordAudit({
      tenantId: tenant._id,
      action: "login.rateLimited",
      ip,
      target: { type: "user", id: email, label: email },
      details: { scope: acct.limited ? "account" : "ip" },
    });
    const seconds = Math.max(acct.limited ? acct.retryAfterSeconds : 0, byIp.limited ? byIp.retryAfterSeconds : 0);
    return { ok: false, error: "rateLimited", retryAfterMinutes: Math.max(1, Math.ceil(seconds / 60)) };
  }

  const user = await User.findOne({ email }).lean();
  const valid = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (!user || !valid) {
    await Promise.all([hitRateLimit(accountKey, perAccount, windowMs), hitRateLimit(ipKey, perIp, windowMs)]);
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
  await clearRateLimit(accountKey, windowMs);
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
