import type { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Membership } from "../../models/membership";
import { action as usersAction, loader as usersLoader } from "~/routes/t.$slug.admin.users";
import { callAction, callLoader } from "../route-helpers";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";

type Tenant = Awaited<ReturnType<typeof createTenant>>;
type UsersPage = {
  scope: string;
  canUpdate: boolean;
  members: {
    total: number;
    items: Array<{
      membershipId: string;
      email: string;
      role: string;
      enterpriseName: string | null;
    }>;
  };
};

async function adminOf(tenant: Tenant) {
  const { user } = await createMember(tenant._id, "tenant_admin");
  return { user, cookie: await cookieFor(user._id) };
}

function post(tenant: Tenant, cookie: string, form: Record<string, string>) {
  return callAction(
    usersAction,
    `/t/${tenant.slug}/admin/users`,
    { slug: tenant.slug },
    { cookie, form },
  );
}

function membershipById(tenant: Tenant, id: string) {
  return Membership.findOne({ tenantId: tenant._id, _id: id }).lean();
}

async function membershipOf(tenant: Tenant, userId: Types.ObjectId) {
  const m = await Membership.findOne({ tenantId: tenant._id, userId }).lean();
  return String(m?._id);
}

describe("members list", () => {
  it("shows a tenant admin every member with role and enterprise", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const enterprise = await createEnterprise(tenant._id, { name: "锦江示范化工有限公司" });
    await createMember(tenant._id, "enterprise_member", {
      enterpriseId: enterprise._id,
      email: "em@example.com",
    });
    await createMember(tenant._id, "regulator", { email: "reg@example.com" });
    const res = await callLoader(
      usersLoader,
      `/t/${tenant.slug}/admin/users`,
      { slug: tenant.slug },
      { cookie: admin.cookie },
    );
    const page = res.data as UsersPage;
    expect(page).toMatchObject({ scope: "any", canUpdate: true });
    expect(page.members.total).toBe(3);
    expect(page.members.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          email: "em@example.com",
          role: "enterprise_member",
          enterpriseName: "锦江示范化工有限公司",
        }),
        expect.objectContaining({
          email: "reg@example.com",
          role: "regulator",
          enterpriseName: null,
        }),
      ]),
    );
  });

  it("shows an enterprise admin only the members of their own enterprise", async () => {
    const tenant = await createTenant();
    const { user, enterpriseId } = await createMember(tenant._id, "enterprise_admin");
    await createMember(tenant._id, "enterprise_member", {
      enterpriseId: enterpriseId ?? undefined,
      email: "mine@example.com",
    });
    await createMember(tenant._id, "enterprise_member", { email: "theirs@example.com" });
    await createMember(tenant._id, "regulator");
    const res = await callLoader(
      usersLoader,
      `/t/${tenant.slug}/admin/users`,
      { slug: tenant.slug },
      { cookie: await cookieFor(user._id) },
    );
    const page = res.data as UsersPage;
    expect(page.members.total).toBe(2);
    expect(page.members.items.map((m) => m.email).sort()).toEqual(
      [user.email, "mine@example.com"].sort(),
    );
  });
});

describe("changing roles and removing members", () => {
  it("changes a role and audits from/to", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const { user } = await createMember(tenant._id, "regulator");
    const membershipId = await membershipOf(tenant, user._id);
    const res = await post(tenant, admin.cookie, {
      intent: "changeRole",
      membershipId,
      role: "reviewer",
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ notice: "admin.users.roleChanged" });
    expect((await membershipById(tenant, membershipId))?.role).toBe("reviewer");
    expect(
      await AuditEvent.findOne({ tenantId: tenant._id, action: "membership.roleChanged" }).lean(),
    ).toMatchObject({
      actorEmail: admin.user.email,
      targetLabel: user.email,
      details: { from: "regulator", to: "reviewer" },
    });
  });

  it("refuses a role the member already holds (unique index on update) with 409", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const { user } = await createMember(tenant._id, "regulator");
    await Membership.create({
      tenantId: tenant._id,
      userId: user._id,
      role: "reviewer",
      enterpriseId: null,
    });
    const regulator = await Membership.findOne({
      tenantId: tenant._id,
      userId: user._id,
      role: "regulator",
    }).lean();
    const membershipId = String(regulator?._id);
    const res = await post(tenant, admin.cookie, {
      intent: "changeRole",
      membershipId,
      role: "reviewer",
    });
    expect(res.status).toBe(409);
    expect(res.data).toMatchObject({ errors: { _form: "errors.invite.alreadyMember" } });
    expect(await membershipById(tenant, membershipId)).toMatchObject({ role: "regulator" });
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "membership.roleChanged" }),
    ).toBe(0);
  });

  it("does not swap an enterprise role for an authority role", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const { user } = await createMember(tenant._id, "enterprise_member");
    const membershipId = await membershipOf(tenant, user._id);
    const res = await post(tenant, admin.cookie, {
      intent: "changeRole",
      membershipId,
      role: "regulator",
    });
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ errors: { role: "errors.role.enterpriseMismatch" } });
    const ok = await post(tenant, admin.cookie, {
      intent: "changeRole",
      membershipId,
      role: "enterprise_admin",
    });
    expect(ok.status).toBe(200);
    expect(await membershipById(tenant, membershipId)).toMatchObject({ role: "enterprise_admin" });
  });

  it("refuses to remove or demote the last tenant admin", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const membershipId = await membershipOf(tenant, admin.user._id);
    const removed = await post(tenant, admin.cookie, { intent: "remove", membershipId });
    expect(removed.status).toBe(409);
    expect(removed.data).toMatchObject({ errors: { _form: "errors.lastAdmin" } });
    const demoted = await post(tenant, admin.cookie, {
      intent: "changeRole",
      membershipId,
      role: "regulator",
    });
    expect(demoted.status).toBe(409);
    expect(await membershipById(tenant, membershipId)).toMatchObject({ role: "tenant_admin" });
    expect(await AuditEvent.countDocuments({ tenantId: tenant._id })).toBe(0);
  });

  it("keeps one admin when two admins remove each other at the same time", async () => {
    const tenant = await createTenant();
    const a = await adminOf(tenant);
    const b = await adminOf(tenant);
    const [ma, mb] = [
      await membershipOf(tenant, a.user._id),
      await membershipOf(tenant, b.user._id),
    ];
    const results = await Promise.all([
      post(tenant, a.cookie, { intent: "remove", membershipId: mb }),
      post(tenant, b.cookie, { intent: "remove", membershipId: ma }),
    ]);
    // At most one removal succeeds. The other is refused with 409 (it would remove the last admin)
    // or, when the first finished before the second was authorised (a fast backend), with 403.
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 403 || s === 409)).toBe(true);
    expect(
      await Membership.countDocuments({ tenantId: tenant._id, role: "tenant_admin" }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("removes a member (one of two admins) and audits it", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const other = await adminOf(tenant);
    const membershipId = await membershipOf(tenant, other.user._id);
    const res = await post(tenant, admin.cookie, { intent: "remove", membershipId });
    expect(res.status).toBe(200);
    expect(await Membership.exists({ tenantId: tenant._id, _id: membershipId })).toBeNull();
    expect(
      await AuditEvent.findOne({ tenantId: tenant._id, action: "membership.removed" }).lean(),
    ).toMatchObject({
      targetLabel: other.user.email,
      details: { role: "tenant_admin" },
    });
    // The removed admin can no longer open the page.
    expect(
      (
        await callLoader(
          usersLoader,
          `/t/${tenant.slug}/admin/users`,
          { slug: tenant.slug },
          { cookie: other.cookie },
        )
      ).status,
    ).toBe(302);
  });

  it("is 403 for an enterprise admin", async () => {
    const tenant = await createTenant();
    const { user, enterpriseId } = await createMember(tenant._id, "enterprise_admin");
    const { user: colleague } = await createMember(tenant._id, "enterprise_member", {
      enterpriseId: enterpriseId ?? undefined,
    });
    const cookie = await cookieFor(user._id);
    const membershipId = await membershipOf(tenant, colleague._id);
    expect(
      (await post(tenant, cookie, { intent: "changeRole", membershipId, role: "enterprise_admin" }))
        .status,
    ).toBe(403);
    expect((await post(tenant, cookie, { intent: "remove", membershipId })).status).toBe(403);
    expect(await membershipById(tenant, membershipId)).toMatchObject({ role: "enterprise_member" });
  });

  it("is 404 for another tenant's member ids, which stay untouched", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const adminA = await adminOf(a);
    const { user } = await createMember(b._id, "regulator");
    const membershipId = await membershipOf(b, user._id);
    expect(
      (await post(a, adminA.cookie, { intent: "changeRole", membershipId, role: "reviewer" }))
        .status,
    ).toBe(404);
    expect((await post(a, adminA.cookie, { intent: "remove", membershipId })).status).toBe(404);
    expect((await post(a, adminA.cookie, { intent: "remove", membershipId: "zzz" })).status).toBe(
      404,
    );
    expect(await membershipById(b, membershipId)).toMatchObject({ role: "regulator" });
  });

  it("rejects an unknown intent with 400", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    expect((await post(tenant, admin.cookie, { intent: "nuke" })).status).toBe(400);
  });
});
