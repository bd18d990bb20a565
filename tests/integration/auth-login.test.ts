import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Session } from "../../models/session";
import { LOGIN_LIMITS } from "~/auth.server";
import { action as loginAction, loader as loginLoader } from "~/routes/t.$slug.login";
import { action as logoutAction } from "~/routes/t.$slug.logout";
import { loader as homeLoader } from "~/routes/t.$slug._index";
import { callAction, callLoader } from "../route-helpers";
import { createMember, createTenant, TEST_PASSWORD } from "../factories";

async function login(slug: string, email: string, password: string, ip = "10.0.0.1") {
  return callAction(loginAction, `/t/${slug}/login`, { slug }, {
    form: { email, password, redirectTo: `/t/${slug}` },
    headers: { "x-sg-client-ip": ip },
  });
}

describe("login and logout", () => {
  it("logs in with the right password, stores a session and audits it", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const res = await login(tenant.slug, user.email, TEST_PASSWORD);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/t/${tenant.slug}`);
    const cookie = res.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/__sg_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(await Session.countDocuments({ userId: user._id })).toBe(1);
    expect(await AuditEvent.countDocuments({ tenantId: tenant._id, action: "login.success" })).toBe(1);

    const home = await callLoader(homeLoader, `/t/${tenant.slug}`, { slug: tenant.slug }, { cookie: cookie.split(";")[0] });
    expect(home.data).toMatchObject({ kind: "member" });
  });

  it("rejects a wrong password with 401, a translated message key and no session", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const res = await login(tenant.slug, user.email, "wrong-password-1");
    expect(res.status).toBe(401);
    expect(res.data).toEqual({ errors: { _form: "errors.login.invalid" } });
    expect(await Session.countDocuments({})).toBe(0);
    expect(await AuditEvent.countDocuments({ action: "login.failure" })).toBe(1);
  });

  it("rejects malformed input with 400 and field errors", async () => {
    const tenant = await createTenant();
    const res = await login(tenant.slug, "not-an-email", "");
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ errors: { email: "errors.email", password: "errors.required" } });
  });

  it("refuses users without a membership in this tenant", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const { user } = await createMember(a._id, "regulator");
    const res = await login(b.slug, user.email, TEST_PASSWORD);
    expect(res.status).toBe(403);
    expect(await Session.countDocuments({})).toBe(0);
  });

  it("locks an address out of an account after too many failures, even with the right password", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) {
      expect((await login(tenant.slug, user.email, `bad-${i}-password`, "10.0.1.1")).status).toBe(401);
    }
    const blocked = await login(tenant.slug, user.email, TEST_PASSWORD, "10.0.1.1");
    expect(blocked.status).toBe(429);
    expect(blocked.data).toMatchObject({ errors: { _form: expect.stringMatching(/^errors\.login\.rateLimited\?minutes=\d+$/) } });
    expect(await Session.countDocuments({})).toBe(0);
    expect(await AuditEvent.countDocuments({ action: "login.rateLimited" })).toBe(1);
    // A stranger's five wrong tries do not lock the owner out: the right password from another address works.
    expect((await login(tenant.slug, user.email, TEST_PASSWORD, "10.0.2.1")).status).toBe(302);
  });

  it("20 parallel wrong passwords for one account are checked at most 5 times (reserved before the check)", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const fromOne = await Promise.all(Array.from({ length: 20 }, (_, i) => login(tenant.slug, user.email, `wrong-${i}-pass`, "10.3.0.1")));
    expect(fromOne.filter((r) => r.status === 401).length).toBeLessThanOrEqual(LOGIN_LIMITS.perAccount);
    expect(fromOne.filter((r) => r.status === 401).length + fromOne.filter((r) => r.status === 429).length).toBe(20);

    const other = await createMember(tenant._id, "reviewer");
    // The owner logged in from this address before: it stays open whatever strangers do.
    expect((await login(tenant.slug, other.user.email, TEST_PASSWORD, "10.4.9.9")).status).toBe(302);
    const fromMany = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(tenant.slug, other.user.email, `wrong-${i}-pass`, `10.4.0.${i + 1}`)),
    );
    const checked = fromMany.filter((r) => r.status === 401).length;
    expect(checked).toBeLessThanOrEqual(LOGIN_LIMITS.addressesPerAccount);
    expect(fromMany.filter((r) => r.status === 429).length).toBe(20 - checked);
    expect((await login(tenant.slug, other.user.email, TEST_PASSWORD, "10.4.9.9")).status).toBe(302);
  });

  it("limits one IP trying many accounts", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    for (let i = 0; i < LOGIN_LIMITS.perIp; i++) {
      await login(tenant.slug, `nobody${i}@example.com`, "whatever-123", "10.9.9.9");
    }
    expect((await login(tenant.slug, user.email, TEST_PASSWORD, "10.9.9.9")).status).toBe(429);
    // Another IP is not affected.
    expect((await login(tenant.slug, user.email, TEST_PASSWORD, "10.9.9.10")).status).toBe(302);
  });

  it("successful logins do not use up an address's tries (many people behind one office address)", async () => {
    const tenant = await createTenant();
    const members = await Promise.all(Array.from({ length: 4 }, () => createMember(tenant._id, "regulator")));
    // Twice the per-address limit of correct logins from one address, people taking turns.
    for (let i = 0; i < LOGIN_LIMITS.perIp * 2; i++) {
      const member = members[i % members.length];
      expect((await login(tenant.slug, member?.user.email ?? "", TEST_PASSWORD, "10.7.7.7")).status).toBe(302);
    }
    // Wrong passwords still count: the address is limited once they reach the limit.
    for (let i = 0; i < LOGIN_LIMITS.perIp; i++) await login(tenant.slug, `nobody${i}@example.com`, "whatever-123", "10.7.7.7");
    expect((await login(tenant.slug, members[0]?.user.email ?? "", TEST_PASSWORD, "10.7.7.7")).status).toBe(429);
  });

  it("logout deletes the session so the cookie no longer works", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const res = await login(tenant.slug, user.email, TEST_PASSWORD);
    const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const out = await callAction(logoutAction, `/t/${tenant.slug}/logout`, { slug: tenant.slug }, { cookie });
    expect(out.status).toBe(302);
    expect(await Session.countDocuments({})).toBe(0);
    const home = await callLoader(loginLoader, `/t/${tenant.slug}/login`, { slug: tenant.slug }, { cookie });
    expect(home.status).toBe(200);
    expect(await AuditEvent.countDocuments({ action: "logout" })).toBe(1);
  });

  it("unknown tenant slug is a 404", async () => {
    const res = await callLoader(loginLoader, `/t/nowhere/login`, { slug: "nowhere" });
    expect(res.status).toBe(404);
  });
});
