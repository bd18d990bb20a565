/** Step 12 item 6: tenants created, configured, deactivated by the platform (page and CLI). */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Invitation } from "../../models/invitation";
import { OutboxMessage } from "../../models/outbox-message";
import { Tenant, tenantIdForSlug } from "../../models/tenant";
import { computeDashboardSnapshot } from "~/data/dashboard.server";
import { listTenantsForPlatform } from "~/data/tenants/platform.server";
import { listTenants } from "~/data/tenants.server";
import { loader as platformLayoutLoader } from "~/routes/platform";
import { loader as platformListLoader } from "~/routes/platform._index";
import { action as newTenantAction } from "~/routes/platform.tenants.new";
import { action as tenantConfigAction, loader as tenantConfigLoader } from "~/routes/platform.tenants.$slug";
import { action as platformLoginAction } from "~/routes/platform_.login";
import { loader as tenantHomeLoader } from "~/routes/t.$slug._index";
import { action as loginAction, loader as loginLoader } from "~/routes/t.$slug.login";
import { runTenantCommand } from "../../scripts/lib/tenant-cli";
import { callAction, callLoader } from "../route-helpers";
import { cookieFor, createEnterprise, createMember, createTenant, createUser, TEST_PASSWORD } from "../factories";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

async function platformAdmin() {
  const user = await createUser({ platformAdmin: true });
  return { user, cookie: await cookieFor(user._id) };
}

const chengduForm = (overrides: Record<string, string> = {}) => ({
  slug: "cd-test",
  authorityZh: "成都市应急管理局",
  authorityEn: "Chengdu Emergency Management Bureau",
  provinceCode: "510000",
  cityCode: "510100",
  districts: "510104 锦江区\n510105 青羊区\n510107 武侯区",
  numberPattern: "{PROV}AQB{IND}{LVL}{YYYY}{SEQ:5}",
  grantableLevels: "level3,qualified",
  acceptanceDays: "5",
  reviewDays: "40",
  publicNoticeDays: "7",
  reviewersRequired: "3",
  certificateValidYears: "3",
  holidays: "2026-05-06",
  extraWorkdays: "2026-05-09",
  creditDefenceDays: "7",
  creditRepairAfterMonths: "12",
  creditCertificateEffect: "revoke",
  targets: "2026 510104 30\n2026 510105 20",
  adminEmail: "first-admin@example.cn",
  ...overrides,
});

function createByPage(cookie: string, form: Record<string, string>) {
  return callAction(newTenantAction, "/platform/tenants/new", {}, { cookie, form });
}

describe("platform: creating a tenant on the page", () => {
  it("creates the configured tenant with the slug-derived _id and invites its first admin by the authority's name", async () => {
    const { cookie } = await platformAdmin();
    const res = await createByPage(cookie, chengduForm());
    expect(res.status).toBe(302);
    expect(res.location).toBe("/platform/tenants/cd-test?created=1&invited=first-admin%40example.cn");
    const tenant = await Tenant.findOne({ _id: tenantIdForSlug("cd-test") }).lean();
    expect(tenant?.slug).toBe("cd-test");
    expect(tenant?.regionCode).toBe("510100");
    expect(tenant?.provinceCode).toBe("510000");
    expect(tenant?.districts.map((d) => d.code)).toEqual(["510104", "510105", "510107"]);
    expect(tenant?.settings.publicNoticeDays).toBe(7);
    expect(tenant?.settings.reviewersRequired).toBe(3);
    expect(tenant?.settings.holidays).toEqual(["2026-05-06"]);
    expect(tenant?.settings.extraWorkdays).toEqual(["2026-05-09"]);
    expect(tenant?.settings.credit?.certificateEffect).toBe("revoke");
    expect(tenant?.settings.yearlyTargets).toEqual([
      { year: 2026, districtCode: "510104", count: 30 },
      { year: 2026, districtCode: "510105", count: 20 },
    ]);
    expect(tenant?.active).toBe(true);
    const invitation = await Invitation.findOne({ tenantId: tenant?._id, email: "first-admin@example.cn" }).lean();
    expect(invitation?.role).toBe("tenant_admin");
    const mail = await OutboxMessage.findOne({ tenantId: tenant?._id, template: "invitation" }).lean();
    expect(mail?.to).toBe("first-admin@example.cn");
    expect(mail?.data.tenantName).toBe("成都市应急管理局");
    expect(await AuditEvent.countDocuments({ tenantId: tenant?._id, action: "tenant.created" })).toBe(1);
    // The new tenant's pages answer at once (the request path finds it by its derived _id).
    const login = await callLoader(loginLoader, "/t/cd-test/login", { slug: "cd-test" });
    expect(login.status).toBe(200);
  });

  it("refuses bad input field by field and writes nothing", async () => {
    const { cookie } = await platformAdmin();
    const res = await createByPage(
      cookie,
      chengduForm({
        slug: "Bad Slug",
        provinceCode: "990000",
        districts: "510104 锦江区\n440305 南山区",
        numberPattern: "{PROV}AQB{YYYY}",
        targets: "2026 510199 5",
        holidays: "2026-02-30",
        reviewDays: "abc",
        grantableLevels: "",
      }),
    );
    expect(res.status).toBe(400);
    const errors = (res.data as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors).sort()).toEqual(
      ["slug", "provinceCode", "numberPattern", "holidays", "reviewDays", "grantableLevels"].sort(),
    );
    expect(await Tenant.countDocuments({})).toBe(0);
    const cityMismatch = await createByPage(cookie, chengduForm({ districts: "510104 锦江区\n440305 南山区", targets: "2026 510199 5" }));
    expect(cityMismatch.status).toBe(400);
    const e2 = (cityMismatch.data as { errors: Record<string, string> }).errors;
    expect(e2.districts).toMatch(/^platform\.error\.districtCode\?value=440305/);
    expect(e2.targets).toMatch(/^platform\.error\.targetDistrict\?value=510199/);
    expect(await Tenant.countDocuments({})).toBe(0);
    expect(await Invitation.countDocuments({}).setOptions({ crossTenant: true })).toBe(0);
  });

  it("refuses a taken slug with 409", async () => {
    const { cookie } = await platformAdmin();
    expect((await createByPage(cookie, chengduForm({ adminEmail: "" }))).status).toBe(302);
    const again = await createByPage(cookie, chengduForm({ adminEmail: "" }));
    expect(again.status).toBe(409);
    expect((again.data as { errors: Record<string, string> }).errors.slug).toBe("platform.error.slugTaken");
  });

  it("is for platform admins only: others get 403, strangers the platform login", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "tenant_admin");
    const res = await createByPage(await cookieFor(user._id), chengduForm());
    expect(res.status).toBe(403);
    const anon = await callLoader(platformListLoader, "/platform", {});
    expect(anon.status).toBe(302);
    expect(anon.location).toBe("/platform/login?redirectTo=%2Fplatform");
    const layout = await callLoader(platformLayoutLoader, "/platform", {}, { cookie: await cookieFor(user._id) });
    expect(layout.status).toBe(403);
    expect(await Tenant.countDocuments({ slug: "cd-test" })).toBe(0);
  });

  it("logs a platform admin in at /platform/login and refuses other accounts", async () => {
    const admin = await createUser({ platformAdmin: true });
    const other = await createUser();
    const ok = await callAction(platformLoginAction, "/platform/login", {}, { form: { email: admin.email, password: TEST_PASSWORD } });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Set-Cookie")).toContain("__sg_session=");
    const refused = await callAction(platformLoginAction, "/platform/login", {}, { form: { email: other.email, password: TEST_PASSWORD } });
    expect(refused.status).toBe(403);
    const wrong = await callAction(platformLoginAction, "/platform/login", {}, { form: { email: admin.email, password: "nope-nope-1" } });
    expect(wrong.status).toBe(401);
  });
});

describe("platform: configuring, listing and deactivating", () => {
  it("saves a new configuration and keeps districts that still have enterprises", async () => {
    const { cookie } = await platformAdmin();
    await createByPage(cookie, chengduForm({ adminEmail: "" }));
    const tenantId = tenantIdForSlug("cd-test");
    await createEnterprise(tenantId, { districtCode: "510105" });
    const params = { slug: "cd-test" };
    const page = await callLoader(tenantConfigLoader, "/platform/tenants/cd-test", params, { cookie });
    const values = (page.data as { values: Record<string, string> }).values;
    expect(values.districts).toBe("510104 锦江区\n510105 青羊区\n510107 武侯区");
    const save = (form: Record<string, string>) =>
      callAction(tenantConfigAction, "/platform/tenants/cd-test", params, { cookie, form: { ...values, intent: "save", ...form } });
    const removeInUse = await save({ districts: "510104 锦江区", targets: "" });
    expect(removeInUse.status).toBe(409);
    expect((await Tenant.findOne({ _id: tenantId }).lean())?.districts).toHaveLength(3);
    const ok = await save({ districts: "510104 锦江区\n510105 青羊区\n510106 金牛区", targets: "2027 510106 12", reviewDays: "30" });
    expect(ok.status).toBe(302);
    const saved = await Tenant.findOne({ _id: tenantId }).lean();
    expect(saved?.districts.map((d) => d.code)).toEqual(["510104", "510105", "510106"]);
    expect(saved?.settings.yearlyTargets).toEqual([{ year: 2027, districtCode: "510106", count: 12 }]);
    expect(saved?.settings.reviewDays).toBe(30);
    // Settings the form does not show are kept.
    expect(saved?.settings.certificateReminderDays).toEqual([90, 30]);
    expect(saved?.settings.credit?.certificateEffect).toBe("revoke");
    // An emptied credit setting goes back to the platform default (unset, CREDIT_DEFAULTS apply).
    expect((await save({ creditCertificateEffect: "", creditDefenceDays: "" })).status).toBe(302);
    const unset = await Tenant.findOne({ _id: tenantId }).lean();
    expect(unset?.settings.credit?.certificateEffect).toBeUndefined();
    expect(unset?.settings.credit?.defenceDays).toBeUndefined();
    expect(unset?.settings.credit?.repairAfterMonths).toBe(12);
  });

  it("lists every tenant with stored counts (no per-request counting)", async () => {
    const { cookie } = await platformAdmin();
    const a = await createTenant({ slug: "aa-city" });
    await createTenant({ slug: "bb-city" });
    await createEnterprise(a._id);
    await createEnterprise(a._id);
    let list = await listTenantsForPlatform();
    expect(list.map((t) => t.slug)).toEqual(["aa-city", "bb-city"]);
    expect(list[0]?.counts).toBeNull();
    await computeDashboardSnapshot({ tenantId: a._id });
    list = await listTenantsForPlatform();
    expect(list[0]?.counts).toEqual({ enterprises: 2, applications: 0, certificates: 0 });
    // A third enterprise is not seen until the snapshot job runs again: counts are stored, not counted.
    await createEnterprise(a._id);
    expect((await listTenantsForPlatform())[0]?.counts?.enterprises).toBe(2);
    const page = await callLoader(platformListLoader, "/platform", {}, { cookie });
    expect(page.status).toBe(200);
    expect((page.data as { tenants: Array<{ slug: string }> }).tenants).toHaveLength(2);
  });

  it("a deactivated tenant answers 410 on its pages and refuses logins; reactivation restores it", async () => {
    const { cookie } = await platformAdmin();
    const tenant = await createTenant({ slug: "gone-city" });
    const { user } = await createMember(tenant._id, "regulator");
    const member = await cookieFor(user._id);
    const params = { slug: "gone-city" };
    const refusedWithoutReason = await callAction(tenantConfigAction, "/platform/tenants/gone-city", params, {
      cookie,
      form: { intent: "deactivate", reason: "" },
    });
    expect(refusedWithoutReason.status).toBe(400);
    const off = await callAction(tenantConfigAction, "/platform/tenants/gone-city", params, {
      cookie,
      form: { intent: "deactivate", reason: "机构改革，并入省级平台" },
    });
    expect(off.status).toBe(302);
    expect((await callLoader(tenantHomeLoader, "/t/gone-city", params, { cookie: member })).status).toBe(410);
    expect((await callLoader(loginLoader, "/t/gone-city/login", params)).status).toBe(410);
    const login = await callAction(loginAction, "/t/gone-city/login", params, { form: { email: user.email, password: TEST_PASSWORD } });
    expect(login.status).toBe(410);
    expect(login.headers.get("Set-Cookie")).toBeNull();
    // The public landing page no longer lists it.
    expect((await listTenants()).map((t) => t.slug)).not.toContain("gone-city");
    // The platform still sees and can reopen it.
    expect((await callLoader(tenantConfigLoader, "/platform/tenants/gone-city", params, { cookie })).status).toBe(200);
    const on = await callAction(tenantConfigAction, "/platform/tenants/gone-city", params, { cookie, form: { intent: "reactivate" } });
    expect(on.status).toBe(302);
    expect((await callLoader(tenantHomeLoader, "/t/gone-city", params, { cookie: member })).status).toBe(200);
    expect(await AuditEvent.countDocuments({ tenantId: tenant._id, action: "tenant.deactivated" })).toBe(1);
  });
});

describe("tenant CLI", () => {
  it("creates a tenant with the same validation as the page (in process)", async () => {
    const bad = await runTenantCommand("create", {
      slug: "cli-city",
      "authority-zh": "绵阳市应急管理局",
      "authority-en": "Mianyang EMB",
      province: "510000",
      city: "510700",
      districtLines: ["510104 锦江区"],
    });
    expect(bad.exitCode).toBe(2);
    expect(JSON.stringify(bad.output)).toContain("510104");
    expect(await Tenant.countDocuments({})).toBe(0);
    const ok = await runTenantCommand("create", {
      slug: "cli-city",
      "authority-zh": "绵阳市应急管理局",
      "authority-en": "Mianyang EMB",
      province: "510000",
      city: "510700",
      districtLines: ["510703 涪城区\n510704 游仙区"],
      target: ["2026 510703 10"],
      "admin-email": "mianyang-admin@example.cn",
    });
    expect(ok.exitCode).toBe(0);
    const tenant = await Tenant.findOne({ _id: tenantIdForSlug("cli-city") }).lean();
    expect(tenant?.districts).toHaveLength(2);
    expect(tenant?.settings.certificateNumberPattern).toBe("{PROV}AQB{IND}{LVL}{YYYY}{SEQ:5}");
    expect(await Invitation.countDocuments({ tenantId: tenant?._id, role: "tenant_admin" })).toBe(1);
    const off = await runTenantCommand("deactivate", { slug: "cli-city", reason: "测试" });
    expect(off.exitCode).toBe(0);
    expect((await Tenant.findOne({ _id: tenantIdForSlug("cli-city") }).lean())?.active).toBe(false);
  });

  it("runs as `npm run tenant -- create` against a database", async () => {
    const args = [
      "tsx",
      "scripts/tenant.ts",
      "create",
      "--slug",
      "proc-city",
      "--authority-zh",
      "德阳市应急管理局",
      "--authority-en",
      "Deyang EMB",
      "--province",
      "510000",
      "--city",
      "510600",
      "--district",
      "510603 旌阳区",
      "--uri",
      process.env.MONGODB_URI ?? "",
    ];
    const { stdout } = await run("npx", args, { cwd: ROOT, env: { ...process.env, NODE_ENV: "test" } });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, slug: "proc-city" });
    expect((await Tenant.findOne({ _id: tenantIdForSlug("proc-city") }).lean())?.regionCode).toBe("510600");
    const refused = await run("npx", [...args.slice(0, 4), "bad slug!", ...args.slice(5)], { cwd: ROOT }).catch((e: { code: number; stdout: string }) => e);
    expect("code" in refused ? refused.code : 0).toBe(2);
  }, 60_000);
});
