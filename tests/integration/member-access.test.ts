/** The request path's `_id`-keyed documents stay in step with memberships and tenants (decision 010). */
import mongoose, { type Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { MemberAccess, memberAccessId } from "../../models/member-access";
import { Membership } from "../../models/membership";
import { Tenant, tenantIdForSlug } from "../../models/tenant";
import { TenantSlug } from "../../models/tenant-slug";
import { fillMemberAccess } from "~/data/member-access.server";
import { changeMemberRole, removeMembership } from "~/data/memberships.server";
import { getTenantById, getTenantBySlug, recordTenantSlugs } from "~/data/tenants.server";
import { runInRequestScope } from "~/request-scope.server";
import { getMember } from "~/auth.server";
import { makeRequest } from "../route-helpers";
import { cookieFor, createEnterprise, createMember, createTenant, createUser } from "../factories";

const access = (tenantId: Types.ObjectId, userId: Types.ObjectId) =>
  MemberAccess.findOne({ _id: memberAccessId(tenantId, userId) }).lean();
const actor = () => ({ id: new mongoose.Types.ObjectId(), email: "admin@example.com" });

describe("member access documents", () => {
  it("follow create, role change and removal through the data functions", async () => {
    const tenant = await createTenant();
    await createMember(tenant._id, "tenant_admin");
    const { user } = await createMember(tenant._id, "regulator");
    expect(await access(tenant._id, user._id)).toMatchObject({ roles: ["regulator"], enterpriseIds: [] });

    const membership = await Membership.findOne({ tenantId: tenant._id, userId: user._id }).lean();
    const membershipId = membership?._id as Types.ObjectId;
    expect(await changeMemberRole({ tenantId: tenant._id, membershipId, role: "reviewer", actor: actor(), ip: "t" })).toEqual({
      ok: true,
      changed: true,
    });
    expect((await access(tenant._id, user._id))?.roles).toEqual(["reviewer"]);

    const cookie = await cookieFor(user._id);
    expect((await getMember(makeRequest(`/t/${tenant.slug}`, { cookie }), tenant))?.roles).toEqual(["reviewer"]);
    expect(await removeMembership({ tenantId: tenant._id, membershipId, actor: actor(), ip: "t" })).toEqual({ ok: true });
    expect(await access(tenant._id, user._id)).toBeNull();
    expect(await getMember(makeRequest(`/t/${tenant.slug}`, { cookie }), tenant)).toBeNull();
  });

  it("follow every model write: upsert, insertMany, updateMany, deleteMany, and stay per tenant", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    const user = await createUser();
    const enterprise = await createEnterprise(a._id);
    await Membership.updateOne(
      { tenantId: a._id, userId: user._id, role: "enterprise_admin", enterpriseId: enterprise._id },
      { $setOnInsert: { createdBy: null } },
      { upsert: true },
    );
    expect(await access(a._id, user._id)).toMatchObject({ roles: ["enterprise_admin"], enterpriseIds: [enterprise._id] });
    await Membership.insertMany([
      { tenantId: a._id, userId: user._id, role: "enterprise_member", enterpriseId: enterprise._id },
      { tenantId: b._id, userId: user._id, role: "regulator", enterpriseId: null },
    ]);
    // Order within one millisecond falls back to _id (server- vs client-made): compare as a set.
    expect(new Set((await access(a._id, user._id))?.roles)).toEqual(new Set(["enterprise_admin", "enterprise_member"]));
    expect((await access(b._id, user._id))?.roles).toEqual(["regulator"]);
    await Membership.updateMany({ tenantId: b._id, userId: user._id }, { $set: { role: "reviewer" } });
    expect((await access(b._id, user._id))?.roles).toEqual(["reviewer"]);
    await Membership.deleteMany({ tenantId: a._id, userId: user._id });
    expect(await access(a._id, user._id)).toBeNull();
    expect((await access(b._id, user._id))?.roles).toEqual(["reviewer"]);
  });

  it("keeps every role when memberships of one user are written at the same time", async () => {
    const tenant = await createTenant();
    const user = await createUser();
    const enterprise = await createEnterprise(tenant._id);
    await Promise.all(
      (["tenant_admin", "regulator", "reviewer", "enterprise_admin", "enterprise_member"] as const).map((role) =>
        Membership.create({
          tenantId: tenant._id,
          userId: user._id,
          role,
          enterpriseId: role.startsWith("enterprise") ? enterprise._id : null,
        }),
      ),
    );
    expect(new Set((await access(tenant._id, user._id))?.roles)).toEqual(
      new Set(["tenant_admin", "regulator", "reviewer", "enterprise_admin", "enterprise_member"]),
    );
  });

  it("are filled at start-up for a database from before them", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "enterprise_admin");
    const { user: other } = await createMember(tenant._id, "regulator");
    const before = await MemberAccess.find({}).sort({ _id: 1 }).lean();
    await MemberAccess.collection.deleteMany({});
    expect(await fillMemberAccess()).toBe(2);
    const after = await MemberAccess.find({}).sort({ _id: 1 }).lean();
    expect(after.map(({ updatedAt: _u, ...rest }) => rest)).toEqual(before.map(({ updatedAt: _u, ...rest }) => rest));
    expect(after.map((d) => d._id).sort()).toEqual([memberAccessId(tenant._id, user._id), memberAccessId(tenant._id, other._id)].sort());
    expect(await fillMemberAccess()).toBe(0);
  });
});

describe("tenant by slug", () => {
  it("derives a new tenant's _id from its slug and finds it by that _id", async () => {
    const tenant = await createTenant();
    expect(String(tenant._id)).toBe(String(tenantIdForSlug(tenant.slug)));
    expect((await getTenantBySlug({ slug: tenant.slug }))?._id).toEqual(tenant._id);
    expect(await getTenantBySlug({ slug: "no-such-tenant" })).toBeNull();
  });

  it("reads the tenant once per GET request, for its slug and for every view that asks by id", async () => {
    const tenant = await createTenant();
    const client = mongoose.connection.getClient();
    const finds: string[] = [];
    const on = (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === "find") finds.push(String(e.command.find));
    };
    client.on("commandStarted", on);
    try {
      await runInRequestScope("GET", async () => {
        const bySlug = await getTenantBySlug({ slug: tenant.slug });
        expect(await getTenantById(tenant._id)).toBe(bySlug);
        expect((await getTenantById(tenant._id))?.settings).toBeDefined();
      });
      expect(finds).toEqual(["tenants"]);
      // A POST's action may change the tenant: no memo there.
      await runInRequestScope("POST", async () => {
        await getTenantBySlug({ slug: tenant.slug });
        await getTenantById(tenant._id);
      });
      expect(finds).toEqual(["tenants", "tenants", "tenants"]);
    } finally {
      client.off("commandStarted", on);
    }
  });

  it("finds an older tenant (random _id) through its slug document, filled at start-up", async () => {
    const _id = new mongoose.Types.ObjectId();
    await Tenant.collection.insertOne({
      _id,
      slug: "legacy-city",
      name: { zh: "旧市", en: "Old City" },
      authority: { zh: "旧市应急管理局", en: "Old City EMB" },
      regionCode: "510100",
      districts: [],
      settings: {},
    });
    expect(await getTenantBySlug({ slug: "legacy-city" })).toBeNull();
    await recordTenantSlugs();
    expect(await TenantSlug.findOne({ _id: "legacy-city" }).lean()).toMatchObject({ tenantId: _id });
    expect((await getTenantBySlug({ slug: "legacy-city" }))?._id).toEqual(_id);
  });
});
