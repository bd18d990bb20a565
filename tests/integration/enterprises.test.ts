import type { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Enterprise } from "../../models/enterprise";
import { MissingTenantFilterError } from "../../models/tenant-scoped";
import { listEnterprises, updateEnterprise } from "~/data/enterprises.server";
import type { Role } from "~/lib/domain";
import { action as detailAction, loader as detailLoader } from "~/routes/t.$slug.enterprises.$id";
import { loader as listLoader } from "~/routes/t.$slug.enterprises._index";
import { action as newAction, loader as newLoader } from "~/routes/t.$slug.enterprises.new";
import { callAction, callLoader } from "../route-helpers";
import {
  cookieFor,
  createEnterprise,
  createMember,
  createTenant,
  randomCreditCode,
} from "../factories";

type TenantDocLike = { _id: Types.ObjectId; slug: string };

async function memberCookie(tenant: TenantDocLike, role: Role, enterpriseId?: Types.ObjectId) {
  const { user, enterpriseId: eid } = await createMember(tenant._id, role, { enterpriseId });
  return { user, enterpriseId: eid, cookie: await cookieFor(user._id) };
}

function enterpriseForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: "成都示例机械制造有限公司",
    creditCode: randomCreditCode(),
    industry: "machinery",
    sizeClass: "small",
    districtCode: "510104",
    address: "锦江区示例路 1 号",
    contactName: "王安全",
    contactPhone: "028-85550000",
    ...overrides,
  };
}

function create(tenant: TenantDocLike, cookie: string, form: Record<string, string>) {
  return callAction(
    newAction,
    `/t/${tenant.slug}/enterprises/new`,
    { slug: tenant.slug },
    { cookie, form },
  );
}

function update(tenant: TenantDocLike, id: string, cookie: string, form: Record<string, string>) {
  return callAction(
    detailAction,
    `/t/${tenant.slug}/enterprises/${id}`,
    { slug: tenant.slug, id },
    {
      cookie,
      form: { intent: "update", ...form },
    },
  );
}

/** The edit form as the page would submit it: the current values plus the version it was loaded with. */
async function editForm(id: Types.ObjectId, overrides: Record<string, string> = {}) {
  const e = await Enterprise.findOne({ _id: id }).setOptions({ crossTenant: true }).lean();
  if (!e) throw new Error("no enterprise");
  return {
    name: e.name,
    creditCode: e.creditCode,
    industry: e.industry,
    sizeClass: e.sizeClass,
    districtCode: e.districtCode,
    address: e.address,
    contactName: e.contactName,
    contactPhone: e.contactPhone,
    version: String(e.version),
    ...overrides,
  };
}

describe("creating enterprises", () => {
  it("a regulator creates an enterprise; it is stored normalized and audited", async () => {
    const tenant = await createTenant();
    const { cookie, user } = await memberCookie(tenant, "regulator");
    const res = await create(tenant, cookie, enterpriseForm({ creditCode: "91110000100010433l" }));
    expect(res.status).toBe(302);
    const stored = await Enterprise.findOne({ tenantId: tenant._id }).lean();
    expect(stored).toMatchObject({
      creditCode: "91110000100010433L",
      version: 0,
      status: "active",
      lockedReason: null,
    });
    expect(res.location).toBe(`/t/${tenant.slug}/enterprises/${String(stored?._id)}?created=1`);
    const audit = await AuditEvent.find({
      tenantId: tenant._id,
      action: "enterprise.created",
    }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorEmail: user.email, targetId: String(stored?._id) });
  });

  it.each([
    ["91440300I92203821Z", "errors.creditCode.character?position=9&character=I"],
    ["914403001922038217", "errors.creditCode.checksum?expected=6&actual=7"],
    ["9144030019220382", "errors.creditCode.length?length=16"],
    ["", "errors.creditCode.empty"],
  ])("refuses credit code %j with 400 and %s, writing nothing", async (creditCode, key) => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const res = await create(tenant, cookie, enterpriseForm({ creditCode }));
    expect(res.status).toBe(400);
    expect(res.data).toEqual({ errors: { creditCode: key } });
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
    expect(await AuditEvent.countDocuments({ action: "enterprise.created" })).toBe(0);
  });

  it("reports every invalid field at once", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const res = await create(
      tenant,
      cookie,
      enterpriseForm({ name: "  ", industry: "steel", sizeClass: "" }),
    );
    expect(res.status).toBe(400);
    expect(res.data).toEqual({
      errors: {
        name: "errors.required",
        industry: "errors.invalidChoice",
        sizeClass: "errors.invalidChoice",
      },
    });
  });

  it("refuses a district that is not one of the tenant's", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const res = await create(tenant, cookie, enterpriseForm({ districtCode: "110101" }));
    expect(res.status).toBe(400);
    expect(res.data).toEqual({ errors: { districtCode: "errors.invalidChoice" } });
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
  });

  it("a duplicate credit code in the same tenant is a 409 on the field; another tenant may use it", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const code = randomCreditCode();
    expect((await create(tenant, cookie, enterpriseForm({ creditCode: code }))).status).toBe(302);
    const dup = await create(
      tenant,
      cookie,
      enterpriseForm({ creditCode: code.toLowerCase(), name: "另一家公司" }),
    );
    expect(dup.status).toBe(409);
    expect(dup.data).toEqual({ errors: { creditCode: "errors.creditCode.taken" } });
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(1);
    expect(await AuditEvent.countDocuments({ action: "enterprise.created" })).toBe(1);

    const otherRegulator = await memberCookie(other, "regulator");
    expect(
      (await create(other, otherRegulator.cookie, enterpriseForm({ creditCode: code }))).status,
    ).toBe(302);
  });

  it("enterprise roles cannot open or post the create form", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "enterprise_admin");
    expect(
      (
        await callLoader(
          newLoader,
          `/t/${tenant.slug}/enterprises/new`,
          { slug: tenant.slug },
          { cookie },
        )
      ).status,
    ).toBe(403);
    expect((await create(tenant, cookie, enterpriseForm())).status).toBe(403);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(1); // only the member's own
  });

  it("an anonymous visitor is sent to the login page", async () => {
    const tenant = await createTenant();
    const res = await callLoader(newLoader, `/t/${tenant.slug}/enterprises/new`, {
      slug: tenant.slug,
    });
    expect(res.status).toBe(302);
    expect(res.location).toMatch(new RegExp(`^/t/${tenant.slug}/login\\?redirectTo=`));
  });
});

describe("editing enterprises (compare-and-set on version)", () => {
  it("saves, bumps the version and audits the changed fields only", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const e = await createEnterprise(tenant._id, { name: "旧名称有限公司" });
    const res = await update(
      tenant,
      String(e._id),
      cookie,
      await editForm(e._id, { name: "新名称有限公司", sizeClass: "large" }),
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ ok: true, changed: ["name", "sizeClass"] });
    const stored = await Enterprise.findOne({ tenantId: tenant._id, _id: e._id }).lean();
    expect(stored).toMatchObject({ name: "新名称有限公司", sizeClass: "large", version: 1 });
    const audit = await AuditEvent.findOne({
      tenantId: tenant._id,
      action: "enterprise.updated",
    }).lean();
    expect(audit?.details).toMatchObject({
      changed: ["name", "sizeClass"],
      changes: {
        name: { from: "旧名称有限公司", to: "新名称有限公司" },
        sizeClass: { from: "medium", to: "large" },
      },
      version: 1,
    });
  });

  it("a stale version is a 409 conflict and the first write is kept", async () => {
    const tenant = await createTenant();
    const alice = await memberCookie(tenant, "regulator");
    const bob = await memberCookie(tenant, "tenant_admin");
    const e = await createEnterprise(tenant._id, { name: "原名有限公司" });
    // Both opened the form at version 0.
    const aliceForm = await editForm(e._id, { name: "甲改的名称有限公司" });
    const bobForm = await editForm(e._id, { name: "乙改的名称有限公司", contactName: "乙" });
    expect((await update(tenant, String(e._id), alice.cookie, aliceForm)).status).toBe(200);
    const lost = await update(tenant, String(e._id), bob.cookie, bobForm);
    expect(lost.status).toBe(409);
    expect(lost.data).toEqual({ ok: false, errors: { _form: "errors.conflict" } });
    const stored = await Enterprise.findOne({ tenantId: tenant._id, _id: e._id }).lean();
    expect(stored).toMatchObject({ name: "甲改的名称有限公司", contactName: "", version: 1 });
    expect(await AuditEvent.countDocuments({ action: "enterprise.updated" })).toBe(1);
  });

  it("of two simultaneous saves from the same version exactly one wins", async () => {
    const tenant = await createTenant();
    const e = await createEnterprise(tenant._id);
    const actor = { id: e._id, email: "x@example.com" };
    const fields = (name: string) => ({
      name,
      creditCode: e.creditCode,
      industry: e.industry,
      sizeClass: e.sizeClass,
      districtCode: e.districtCode,
      address: "",
      contactName: "",
      contactPhone: "",
    });
    const results = await Promise.all(
      ["甲", "乙", "丙", "丁"].map((n) =>
        updateEnterprise({
          tenantId: tenant._id,
          id: e._id,
          expectedVersion: 0,
          fields: fields(`${n}公司`),
          actor,
          ip: "",
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? null : r.error))).toEqual([
      "conflict",
      "conflict",
      "conflict",
    ]);
    const stored = await Enterprise.findOne({ tenantId: tenant._id, _id: e._id }).lean();
    expect(stored?.version).toBe(1);
    expect(await AuditEvent.countDocuments({ action: "enterprise.updated" })).toBe(1);
  });

  it("saving without changes writes nothing", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const e = await createEnterprise(tenant._id);
    const res = await update(tenant, String(e._id), cookie, await editForm(e._id));
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ ok: true, changed: [] });
    expect((await Enterprise.findOne({ tenantId: tenant._id, _id: e._id }).lean())?.version).toBe(
      0,
    );
    expect(await AuditEvent.countDocuments({ action: "enterprise.updated" })).toBe(0);
  });

  it("changing the credit code to one already used is a 409 on the field", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const a = await createEnterprise(tenant._id);
    const b = await createEnterprise(tenant._id);
    const res = await update(
      tenant,
      String(b._id),
      cookie,
      await editForm(b._id, { creditCode: a.creditCode }),
    );
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ ok: false, errors: { creditCode: "errors.creditCode.taken" } });
    expect(
      (await Enterprise.findOne({ tenantId: tenant._id, _id: b._id }).lean())?.creditCode,
    ).toBe(b.creditCode);
  });

  it("a bad credit code on edit is a 400 with the position", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const e = await createEnterprise(tenant._id);
    const res = await update(
      tenant,
      String(e._id),
      cookie,
      await editForm(e._id, { creditCode: "9144030019220382O6" }),
    );
    expect(res.status).toBe(400);
    expect(res.data).toEqual({
      ok: false,
      errors: { creditCode: "errors.creditCode.character?position=17&character=O" },
    });
  });

  it("a locked enterprise cannot be edited (master-data lock hook)", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const e = await createEnterprise(tenant._id);
    await Enterprise.updateOne(
      { tenantId: tenant._id, _id: e._id },
      { $set: { lockedReason: "application:test" } },
    );
    const res = await update(
      tenant,
      String(e._id),
      cookie,
      await editForm(e._id, { name: "改名有限公司" }),
    );
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ ok: false, errors: { _form: "enterprise.locked" } });
    expect((await Enterprise.findOne({ tenantId: tenant._id, _id: e._id }).lean())?.name).toBe(
      e.name,
    );
    const page = await callLoader(
      detailLoader,
      `/t/${tenant.slug}/enterprises/${String(e._id)}`,
      { slug: tenant.slug, id: String(e._id) },
      { cookie },
    );
    expect(page.data).toMatchObject({ canEdit: false, enterprise: { locked: true } });
  });

  it("an enterprise admin edits their own enterprise but not its credit code", async () => {
    const tenant = await createTenant();
    const { cookie, enterpriseId } = await memberCookie(tenant, "enterprise_admin");
    if (!enterpriseId) throw new Error("no enterprise");
    const before = await Enterprise.findOne({ tenantId: tenant._id, _id: enterpriseId }).lean();
    const res = await update(
      tenant,
      String(enterpriseId),
      cookie,
      await editForm(enterpriseId, { contactPhone: "13800000000", creditCode: randomCreditCode() }),
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ ok: true, changed: ["contactPhone"] });
    const after = await Enterprise.findOne({ tenantId: tenant._id, _id: enterpriseId }).lean();
    expect(after).toMatchObject({ contactPhone: "13800000000", creditCode: before?.creditCode });
  });

  it("an enterprise member can read but not edit; another enterprise is a 404 for both", async () => {
    const tenant = await createTenant();
    const admin = await memberCookie(tenant, "enterprise_admin");
    if (!admin.enterpriseId) throw new Error("no enterprise");
    const member = await memberCookie(tenant, "enterprise_member", admin.enterpriseId);
    const other = await createEnterprise(tenant._id);
    const own = String(admin.enterpriseId);

    expect(
      (
        await update(
          tenant,
          own,
          member.cookie,
          await editForm(admin.enterpriseId, { name: "成员改名" }),
        )
      ).status,
    ).toBe(403);
    for (const who of [admin, member]) {
      expect(
        (
          await update(
            tenant,
            String(other._id),
            who.cookie,
            await editForm(other._id, { name: "越权" }),
          )
        ).status,
      ).toBe(404);
    }
    expect((await Enterprise.findOne({ tenantId: tenant._id, _id: other._id }).lean())?.name).toBe(
      other.name,
    );
  });
});

describe("enterprise detail", () => {
  it("a member sees their own enterprise with its accounts, and gets 404 (not 403) for another", async () => {
    const tenant = await createTenant();
    const admin = await memberCookie(tenant, "enterprise_admin");
    if (!admin.enterpriseId) throw new Error("no enterprise");
    const member = await memberCookie(tenant, "enterprise_member", admin.enterpriseId);
    const other = await createEnterprise(tenant._id);
    const url = (id: string) => `/t/${tenant.slug}/enterprises/${id}`;

    const own = await callLoader(
      detailLoader,
      url(String(admin.enterpriseId)),
      { slug: tenant.slug, id: String(admin.enterpriseId) },
      { cookie: member.cookie },
    );
    expect(own.status).toBe(200);
    expect(own.data).toMatchObject({ canEdit: false, canEditCreditCode: false, canList: false });
    const accounts = (own.data as { accounts: Array<{ email: string; role: string }> }).accounts;
    expect(accounts.map((a) => [a.email, a.role]).sort()).toEqual(
      [
        [admin.user.email, "enterprise_admin"],
        [member.user.email, "enterprise_member"],
      ].sort(),
    );

    const adminView = await callLoader(
      detailLoader,
      url(String(admin.enterpriseId)),
      { slug: tenant.slug, id: String(admin.enterpriseId) },
      { cookie: admin.cookie },
    );
    expect(adminView.data).toMatchObject({ canEdit: true, canEditCreditCode: false });

    for (const who of [admin, member]) {
      const res = await callLoader(
        detailLoader,
        url(String(other._id)),
        { slug: tenant.slug, id: String(other._id) },
        { cookie: who.cookie },
      );
      expect(res.status).toBe(404);
    }
    // An id that does not exist at all looks the same.
    const missing = await callLoader(
      detailLoader,
      url("0123456789abcdef01234567"),
      { slug: tenant.slug, id: "0123456789abcdef01234567" },
      { cookie: member.cookie },
    );
    expect(missing.status).toBe(404);
    const garbage = await callLoader(
      detailLoader,
      url("not-an-id"),
      { slug: tenant.slug, id: "not-an-id" },
      { cookie: admin.cookie },
    );
    expect(garbage.status).toBe(404);
  });

  it("a regulator sees any enterprise of the tenant and may edit the credit code", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const e = await createEnterprise(tenant._id, {
      districtCode: "510105",
      industry: "hazchem",
      sizeClass: "micro",
    });
    const res = await callLoader(
      detailLoader,
      `/t/${tenant.slug}/enterprises/${String(e._id)}`,
      { slug: tenant.slug, id: String(e._id) },
      { cookie },
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      canEdit: true,
      canEditCreditCode: true,
      canList: true,
      accounts: [],
      enterprise: {
        id: String(e._id),
        districtName: "青羊区",
        industry: "hazchem",
        sizeClass: "micro",
        version: 0,
      },
    });
  });

  it("a reviewer (no enterprise read scope yet) gets 403 whatever the id", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "reviewer");
    const e = await createEnterprise(tenant._id);
    const res = await callLoader(
      detailLoader,
      `/t/${tenant.slug}/enterprises/${String(e._id)}`,
      { slug: tenant.slug, id: String(e._id) },
      { cookie },
    );
    expect(res.status).toBe(403);
  });
});

describe("enterprise list", () => {
  async function seed(tenantId: Types.ObjectId) {
    const made = [];
    for (let i = 0; i < 25; i++) {
      made.push(
        await createEnterprise(tenantId, {
          name:
            i < 3
              ? `锦城化工${i}有限公司`
              : i === 3
                ? "A+B (Chengdu) Trading Co."
                : `示例企业${String(i).padStart(2, "0")}`,
          industry: i % 2 === 0 ? "chemical" : "machinery",
          sizeClass: i % 5 === 0 ? "large" : "small",
          districtCode: i < 10 ? "510105" : "510104",
        }),
      );
    }
    return made;
  }

  function list(tenant: TenantDocLike, cookie: string, query: string) {
    return callLoader(
      listLoader,
      `/t/${tenant.slug}/enterprises${query}`,
      { slug: tenant.slug },
      { cookie },
    );
  }
  type ListData = {
    items: Array<{ id: string; name: string; district: string; industry: string }>;
    total: number;
    page: number;
  };

  it("pages through everything, 20 per page, in name order", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    await seed(tenant._id);
    const first = (await list(tenant, cookie, "")).data as ListData;
    expect(first.total).toBe(25);
    expect(first.items).toHaveLength(20);
    const second = (await list(tenant, cookie, "?page=2")).data as ListData;
    expect(second.items).toHaveLength(5);
    expect(second.page).toBe(2);
    const names = [...first.items, ...second.items].map((i) => i.name);
    expect(new Set(names).size).toBe(25);
    expect(names).toEqual([...names].sort());
    const beyond = (await list(tenant, cookie, "?page=9")).data as ListData;
    expect(beyond).toMatchObject({ total: 25, items: [] });
    const junk = (await list(tenant, cookie, "?page=-3&industry=steel&size=")).data as ListData;
    expect(junk).toMatchObject({ total: 25, page: 1 });
  });

  it("searches names by substring (regex characters are literal) and codes by case-insensitive prefix", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    const made = await seed(tenant._id);
    expect(
      ((await list(tenant, cookie, `?q=${encodeURIComponent("化工")}`)).data as ListData).total,
    ).toBe(3);
    expect(
      ((await list(tenant, cookie, `?q=${encodeURIComponent("a+b (chengdu)")}`)).data as ListData)
        .total,
    ).toBe(1);
    expect(
      ((await list(tenant, cookie, `?q=${encodeURIComponent(".*")}`)).data as ListData).total,
    ).toBe(0);
    const target = made[7];
    if (!target) throw new Error("seed");
    const prefix = target.creditCode.slice(0, 12).toLowerCase();
    const byCode = (await list(tenant, cookie, `?q=${prefix}`)).data as ListData;
    expect(byCode.items.map((i) => i.id)).toContain(String(target._id));
    expect(byCode.total).toBe(
      made.filter((m) => m.creditCode.startsWith(prefix.toUpperCase())).length,
    );
    // A code fragment from the middle is not a prefix.
    expect(
      ((await list(tenant, cookie, `?q=${target.creditCode.slice(5, 17)}`)).data as ListData).total,
    ).toBe(made.filter((m) => m.creditCode.startsWith(target.creditCode.slice(5, 17))).length);
  });

  it("filters by district, industry and size, combined with each other and with paging", async () => {
    const tenant = await createTenant();
    const { cookie } = await memberCookie(tenant, "regulator");
    await seed(tenant._id);
    const byDistrict = (await list(tenant, cookie, "?district=510105")).data as ListData;
    expect(byDistrict.total).toBe(10);
    expect(byDistrict.items.every((i) => i.district === "青羊区")).toBe(true);
    expect(((await list(tenant, cookie, "?industry=chemical")).data as ListData).total).toBe(13);
    expect(((await list(tenant, cookie, "?size=large")).data as ListData).total).toBe(5);
    expect(
      (
        (await list(tenant, cookie, "?district=510104&industry=machinery&size=small"))
          .data as ListData
      ).total,
    ).toBe(
      // i in 10..24, odd, not a multiple of 5: 11, 13, 17, 19, 21, 23
      6,
    );
    expect(
      (
        (await list(tenant, cookie, `?q=${encodeURIComponent("化工")}&district=510104`))
          .data as ListData
      ).total,
    ).toBe(0);
  });

  it("the data function caps the page size and refuses to run without a tenant", async () => {
    const tenant = await createTenant();
    await seed(tenant._id);
    const res = await listEnterprises({ tenantId: tenant._id, pageSize: 10_000 });
    expect(res.pageSize).toBe(100);
    await expect(Enterprise.find({ name: /./ }).lean()).rejects.toBeInstanceOf(
      MissingTenantFilterError,
    );
  });

  it("is only for people who can read every enterprise", async () => {
    const tenant = await createTenant();
    for (const role of ["enterprise_admin", "enterprise_member", "reviewer"] as const) {
      const { cookie } = await memberCookie(tenant, role);
      expect((await list(tenant, cookie, "")).status).toBe(403);
    }
    const admin = await memberCookie(tenant, "tenant_admin");
    expect((await list(tenant, admin.cookie, "")).status).toBe(200);
  });
});
