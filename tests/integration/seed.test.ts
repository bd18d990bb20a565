import { describe, expect, it } from "vitest";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { Tenant } from "../../models/tenant";
import { User } from "../../models/user";
import { DEMO_ENTERPRISES, DEMO_PASSWORD, DEMO_USERS, seedDemoData } from "../../scripts/lib/seed";
import { validateCreditCode } from "~/lib/credit-code";
import { action as loginAction } from "~/routes/t.$slug.login";
import { callAction } from "../route-helpers";
import { createTenant } from "../factories";

describe("demo seeding", () => {
  it("seeds tenant chengdu with one user per role and three enterprises (one small/micro)", async () => {
    expect(await seedDemoData()).toEqual({ seeded: true });
    const tenant = await Tenant.findOne({ slug: "chengdu" }).lean();
    expect(tenant?.name.zh).toBe("成都市应急管理局");
    expect(await Enterprise.countDocuments({ tenantId: tenant?._id })).toBe(3);
    expect(await Enterprise.countDocuments({ tenantId: tenant?._id, sizeClass: { $in: ["small", "micro"] } })).toBe(1);
    for (const e of DEMO_ENTERPRISES) expect(validateCreditCode(e.creditCode).ok).toBe(true);
    const roles = (await Membership.find({ tenantId: tenant?._id }).lean()).map((m) => m.role);
    for (const role of ["enterprise_admin", "enterprise_member", "reviewer", "regulator", "tenant_admin"]) {
      expect(roles).toContain(role);
    }
    expect(await User.countDocuments({ platformAdmin: true })).toBe(1);
    expect(await User.countDocuments({})).toBe(DEMO_USERS.length);

    // Every printed demo login really works.
    const regulator = DEMO_USERS.find((u) => u.role === "regulator");
    const res = await callAction(loginAction, "/t/chengdu/login", { slug: "chengdu" }, {
      form: { email: regulator?.email ?? "", password: DEMO_PASSWORD },
    });
    expect(res.status).toBe(302);
  });

  it("is idempotent: a second run changes nothing", async () => {
    await seedDemoData();
    const before = await Promise.all([User.countDocuments({}), Enterprise.countDocuments({ tenantId: { $exists: true } })]);
    expect(await seedDemoData()).toEqual({ seeded: false, reason: "database already has data" });
    const after = await Promise.all([User.countDocuments({}), Enterprise.countDocuments({ tenantId: { $exists: true } })]);
    expect(after).toEqual(before);
  });

  it("never runs against a database that already has data", async () => {
    await createTenant({ slug: "other" });
    expect((await seedDemoData()).seeded).toBe(false);
    expect(await Tenant.countDocuments({ slug: "chengdu" })).toBe(0);
    expect(await User.countDocuments({})).toBe(0);
  });
});
