import { describe, expect, it } from "vitest";
import { recordAudit } from "~/data/audit.server";
import { isMessageKey, translate } from "~/i18n";
import { loader as auditLoader } from "~/routes/t.$slug.admin.audit";
import { callLoader } from "../route-helpers";
import { cookieFor, createMember, createTenant } from "../factories";

type Tenant = Awaited<ReturnType<typeof createTenant>>;
type AuditPage = {
  page: number;
  total: number;
  action: string;
  actions: string[];
  items: Array<{
    at: string;
    action: string;
    actor: string;
    target: string;
    ip: string;
    details: string;
  }>;
};

async function adminCookie(tenant: Tenant) {
  const { user } = await createMember(tenant._id, "tenant_admin");
  return cookieFor(user._id);
}

function load(tenant: Tenant, cookie: string, query = "") {
  return callLoader(
    auditLoader,
    `/t/${tenant.slug}/admin/audit${query}`,
    { slug: tenant.slug },
    { cookie },
  );
}

async function seedEvents(tenant: Tenant, count: number, actions: string[]) {
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    await recordAudit({
      tenantId: tenant._id,
      action: actions[i % actions.length] ?? "login.success",
      at: new Date(start + i * 60_000),
      ip: `10.0.0.${i % 250}`,
      target: { type: "user", id: `u${i}`, label: `user${i}@example.com` },
    });
  }
}

describe("audit log page", () => {
  it("paginates newest first, 50 a page", async () => {
    const tenant = await createTenant();
    const cookie = await adminCookie(tenant);
    await seedEvents(tenant, 120, ["login.success"]);

    const first = (await load(tenant, cookie)).data as AuditPage;
    expect(first.total).toBe(120);
    expect(first.items).toHaveLength(50);
    expect(first.items[0]?.target).toBe("user119@example.com");
    const times = first.items.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);

    const second = (await load(tenant, cookie, "?page=2")).data as AuditPage;
    expect(second.items[0]?.target).toBe("user69@example.com");
    const third = (await load(tenant, cookie, "?page=3")).data as AuditPage;
    expect(third.page).toBe(3);
    expect(third.items).toHaveLength(20);
    expect(third.items.at(-1)?.target).toBe("user0@example.com");
    expect(((await load(tenant, cookie, "?page=9")).data as AuditPage).items).toEqual([]);
  });

  it("filters by action and offers the actions that occur", async () => {
    const tenant = await createTenant();
    const cookie = await adminCookie(tenant);
    await seedEvents(tenant, 30, ["login.success", "login.failure", "invitation.created"]);

    const all = (await load(tenant, cookie)).data as AuditPage;
    expect(all.actions).toEqual(["invitation.created", "login.failure", "login.success"]);
    const filtered = (await load(tenant, cookie, "?action=login.failure")).data as AuditPage;
    expect(filtered.total).toBe(10);
    expect(filtered.action).toBe("login.failure");
    expect(new Set(filtered.items.map((e) => e.action))).toEqual(new Set(["login.failure"]));
    expect(((await load(tenant, cookie, "?action=")).data as AuditPage).total).toBe(30);
  });

  it("reads a malformed page as page 1 (like every list, app/lib/paging.ts) and rejects a malformed action with 400", async () => {
    const tenant = await createTenant();
    const cookie = await adminCookie(tenant);
    for (const page of ["abc", "0", "Infinity", "1e308", "-1"]) {
      const result = await load(tenant, cookie, `?page=${page}`);
      expect(result.status, page).toBe(200);
      expect((result.data as { page: number }).page, page).toBe(1);
    }
    expect((await load(tenant, cookie, "?action=%24where")).status).toBe(400);
  });

  it("is 403 for a regulator, a reviewer and an enterprise admin, and sends anonymous users to login", async () => {
    const tenant = await createTenant();
    for (const role of ["regulator", "reviewer", "enterprise_admin"] as const) {
      const { user } = await createMember(tenant._id, role);
      expect((await load(tenant, await cookieFor(user._id))).status, role).toBe(403);
    }
    expect(
      (await callLoader(auditLoader, `/t/${tenant.slug}/admin/audit`, { slug: tenant.slug }))
        .status,
    ).toBe(302);
  });

  it("shows only this tenant's events", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await seedEvents(b, 5, ["login.success"]);
    await seedEvents(a, 2, ["logout"]);
    const page = (await load(a, await adminCookie(a))).data as AuditPage;
    expect(page.total).toBe(2);
    expect(page.actions).toEqual(["logout"]);
  });

  it("has a label in both languages for every action the accounts part records", () => {
    const actions = [
      "login.success",
      "login.failure",
      "login.rateLimited",
      "logout",
      "logout.everywhere",
      "password.changed",
      "profile.updated",
      "invitation.created",
      "invitation.accepted",
      "invitation.revoked",
      "membership.roleChanged",
      "membership.removed",
    ];
    for (const action of actions) {
      const key = `audit.${action}`;
      expect(isMessageKey(key), key).toBe(true);
      if (isMessageKey(key)) expect(translate("en", key)).not.toBe(translate("zh-CN", key));
    }
  });
});
