import { describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { Tenant } from "../../models/tenant";
import { User } from "../../models/user";
import { MemberAccess, memberAccessId } from "../../models/member-access";
import { DEMO_ENTERPRISES, DEMO_PASSWORD, DEMO_USERS, seedDemoData } from "../../scripts/lib/seed";
import { DEMO_BODY_ADMIN, DEMO_EXPERTS } from "../../scripts/lib/seed-review-body";
import { Expert } from "../../models/expert";
import { ReviewBody } from "../../models/review-body";
import { verifyCertificate } from "~/data/certificates.server";
import { validateCreditCode } from "~/lib/credit-code";
import { restoreSnapshot, topStateOf } from "~/workflows/grading.machine";
import { action as loginAction } from "~/routes/t.$slug.login";
import { callAction } from "../route-helpers";
import { createTenant } from "../factories";

describe("demo seeding", () => {
  it("seeds tenant chengdu with one user per role and enterprises over several districts (three small/micro)", async () => {
    expect(await seedDemoData()).toEqual({ seeded: true });
    const tenant = await Tenant.findOne({ slug: "chengdu" }).lean();
    expect(tenant?.name.zh).toBe("成都市应急管理局");
    expect(await Enterprise.countDocuments({ tenantId: tenant?._id })).toBe(DEMO_ENTERPRISES.length);
    expect(await Enterprise.countDocuments({ tenantId: tenant?._id, sizeClass: { $in: ["small", "micro"] } })).toBe(3);
    // Step 12: enterprises spread over districts, with GB/T 4754 division and 规上/规下; a district-limited regulator.
    expect(new Set(DEMO_ENTERPRISES.map((e) => e.districtCode)).size).toBeGreaterThanOrEqual(6);
    expect(await Enterprise.countDocuments({ tenantId: tenant?._id, scale: "below" })).toBe(4);
    const jinjiang = await User.findOne({ email: "jinjiang@demo.safegrade.cn" }).lean();
    expect((await MemberAccess.findOne({ _id: memberAccessId(tenant?._id ?? "", jinjiang?._id ?? "") }).lean())?.districtCodes).toEqual(["510104"]);
    expect(tenant?.settings.yearlyTargets?.length).toBeGreaterThan(0);
    for (const e of DEMO_ENTERPRISES) expect(validateCreditCode(e.creditCode).ok).toBe(true);
    const roles = (await Membership.find({ tenantId: tenant?._id }).lean()).map((m) => m.role);
    for (const role of ["enterprise_admin", "enterprise_member", "reviewer", "regulator", "tenant_admin", "review_body_admin"]) {
      expect(roles).toContain(role);
    }
    expect(await User.countDocuments({ platformAdmin: true })).toBe(1);
    const emails = new Set([...DEMO_USERS, DEMO_BODY_ADMIN, ...DEMO_EXPERTS].map((u) => u.email));
    expect(await User.countDocuments({})).toBe(emails.size);
    // Step 10: one review body, its admin, four experts.
    const body = await ReviewBody.findOne({ tenantId: tenant?._id }).lean();
    expect(body?.adminUserIds).toHaveLength(1);
    expect(await Expert.countDocuments({ tenantId: tenant?._id, reviewBodyId: body?._id })).toBe(DEMO_EXPERTS.length);

    // Every printed demo login really works.
    const regulator = DEMO_USERS.find((u) => u.role === "regulator");
    const res = await callAction(loginAction, "/t/chengdu/login", { slug: "chengdu" }, {
      form: { email: regulator?.email ?? "", password: DEMO_PASSWORD },
    });
    expect(res.status).toBe(302);
  });

  it("certifies the chemical and the hazchem company through the real workflow and issues verifiable certificates", async () => {
    expect(await seedDemoData()).toEqual({ seeded: true });
    const tenant = await Tenant.findOne({ slug: "chengdu" }).lean();
    const chemical = await Enterprise.findOne({ tenantId: tenant?._id, name: "成都蜀新化工材料股份有限公司" }).lean();
    const hazchem = await Enterprise.findOne({ tenantId: tenant?._id, name: "成都龙泉危化品经营有限公司" }).lean();
    const apps = await Assessment.find({ tenantId: tenant?._id }).sort({ createdAt: 1 }).lean();
    expect(apps).toHaveLength(2);
    expect(String(apps[1]?.enterpriseId)).toBe(String(hazchem?._id));
    expect(apps[1]?.state).toBe("certified");
    const app = apps[0];
    expect(String(app?.enterpriseId)).toBe(String(chemical?._id));
    expect(app?.state).toBe("certified");
    expect(topStateOf(restoreSnapshot(app?.workflow))).toBe("certified");
    expect(app?.history.map((h) => h.event)).toEqual(["SUBMIT", "ACCEPT", "ASSIGN_REVIEW_BODY", "ASSIGN_REVIEWERS", "START_REVIEW", "REPORT_REVIEW", "APPROVE", "START_NOTICE", "NOTICE_ENDED", "CERTIFY"]);
    expect(app?.pendingCertificate).toMatchObject({ level: "level3", lowerLevel: false });
    const certificates = await Certificate.find({ tenantId: tenant?._id }).sort({ seq: 1 }).lean();
    expect(certificates).toHaveLength(2);
    expect(certificates[1]?.number).toMatch(/^川AQB[A-Z]{2}[ⅠⅡⅢ]\d{4}00002$/);
    expect(certificates[1]?.enterprise.creditCode).toBe("91510112MA6AQ8TK57");
    const cert = certificates[0];
    expect(cert?.number).toMatch(/^川AQB[A-Z]{2}[ⅠⅡⅢ]\d{4}00001$/);
    expect(cert?.levelName.zh).toBe("三级");
    expect(cert?.enterprise.creditCode).toBe("91510113MA62A1B2C1");
    expect((await verifyCertificate({ code: cert?.verifyCode ?? "" }))?.state).toBe("VALID");
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
