/** The platform admin's own login and guard (pages under /platform, outside any tenant). */
import { redirect } from "@remix-run/node";
import { User } from "../../../models/user";
import { getUser, loginSucceeded, reserveLoginAttempt, startSessionFor, type SessionUser } from "~/auth.server";
import { connectDb } from "~/db.server";
import { burnPasswordCheck, verifyPassword } from "../passwords.server";

/** A logged-in platform admin, else a redirect to the platform login (or 403 for other users). */
export async function requirePlatformAdmin(request: Request): Promise<SessionUser> {
  const user = await getUser(request);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/platform/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  if (!user.platformAdmin) throw new Response("Forbidden", { status: 403 });
  return user;
}

export const platformActor = (user: SessionUser) => ({ id: user._id, email: user.email });

export type PlatformLogin =
  | { ok: true; setCookie: string }
  | { ok: false; error: "invalid" | "rateLimited" | "notAdmin" | "disabled"; retryAfterMinutes?: number };

/** Same throttling and password checks as a tenant login (decision 015); only platform admins pass. */
export async function attemptPlatformLogin({
  email,
  password,
  ip,
  request,
}: {
  email: string;
  password: string;
  ip: string;
  request: Request;
}): Promise<PlatformLogin> {
  await connectDb();
  const reservation = await reserveLoginAttempt({ email, ip });
  if (!reservation.ok) return { ok: false, error: "rateLimited", retryAfterMinutes: reservation.retryAfterMinutes };
  const user = await User.findOne({ email }).lean();
  const valid = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (!user || !valid) return { ok: false, error: "invalid" };
  if (user.disabled) return { ok: false, error: "disabled" };
  if (!user.platformAdmin) return { ok: false, error: "notAdmin" };
  await loginSucceeded({ email, ip });
  return { ok: true, setCookie: await startSessionFor(user, request) };
}
