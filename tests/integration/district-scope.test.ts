/** Step 12 item 7: district-limited regulators, districts on applications, yearly targets without renewals. */
import { randomBytes } from "node:crypto";
import ExcelJS from "exceljs";
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { CreditRecord } from "../../models/credit-record";
import { Certificate } from "../../models/certificate";
import { MemberAccess, memberAccessId } from "../../models/member-access";
import { Membership } from "../../models/membership";
import { RubricVersion } from "../../models/rubric-version";
import { Tenant } from "../../models/tenant";
import { computeDashboardSnapshot, getDashboard } from "~/data/dashboard.server";
import { resolveRecipients } from "~/data/grading/effects.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { getTenantBySlug } from "~/data/tenants.server";
import { loader as applicationLoader } from "~/routes/t.$slug.applications.$id";
import { loader as applicationsLoader } from "~/routes/t.$slug.applications._index";
import { loader as assessmentLoader } from "~/routes/t.$slug.assessments.$id";
import { loader as reportLoader } from "~/routes/t.$slug.assessments.$id.report[.pdf]";
import { loader as certificateLoader } from "~/routes/t.$slug.certificates.$id";
import { loader as certificatesLoader } from "~/routes/t.$slug.certificates._index";
import { loader as creditListLoader } from "~/routes/t.$slug.credit._index";
import { loader as creditDetailLoader } from "~/routes/t.$slug.credit.$id";
import { createCreditRecord } from "../credit-fixtures";
import { loader as dashboardCsvLoader } from "~/routes/t.$slug.dashboard[.csv]";
import { loader as enterpriseLoader } from "~/routes/t.$slug.enterprises.$id";
import { loader as enterprisesLoader } from "~/routes/t.$slug.enterprises._index";
import { loader as enterprisesCsvLoader } from "~/routes/t.$slug.enterprises[.csv]";
import { loader as enterprisesXlsxLoader } from "~/routes/t.$slug.enterprises[.xlsx]";
import { action as districtsAction } from "~/routes/t.$slug.admin.users_.$membershipId.districts";
import { callAction, callLoader, makeRequest } from "../route-helpers";
import { cookieFor, createEnterprise, createMember, createTenant, createUser } from "../factories";

const JINJIANG = "510104";
const QINGYANG = "510105";

async function certificate(tenantId: Types.ObjectId, enterprise: { _id: Types.ObjectId; name: string; creditCode: string; districtCode: string }, issuedAt: Date, seq: number) {
  return Certificate.create({
    tenantId,
    applicationId: new Types.ObjectId(),
    enterpriseId: enterprise._id,
    number: `T-${seq}`,
    year: issuedAt.getUTCFullYear(),
    seq,
    seqKey: `certno:${String(tenantId)}:${seq}`,
    verifyCode: randomBytes(16).toString("base64url"),
    level: "level3",
    levelName: { zh: "三级", en: "Level 3" },
    enterprise: { name: enterprise.name, creditCode: enterprise.creditCode, industry: "machinery", districtCode: enterprise.districtCode, districtName: "" },
    issuer: { zh: "测试局" },
    tenantName: { zh: "测试局" },
    issuedAt,
    validUntil: new Date(issuedAt.getTime() + 3 * 365 * 86_400_000),
    status: "active",
  });
}

async function application(tenantId: Types.ObjectId, enterpriseId: Types.ObjectId, cycle: string) {
  const version = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean<{ _id: Types.ObjectId; key: string; version: string }>();
  if (!version) throw new Error("rubric missing");
  return Assessment.create({
    tenantId,
    enterpriseId,
    cycle,
    rubricVersionId: version._id,
    rubricKey: version.key,
    rubricVersion: version.version,
    createdBy: new Types.ObjectId(),
    state: "submitted",
    submittedAt: new Date(),
    answers: [],
  });
}

async function setup() {
  await importRubricFiles();
  const tenant = await createTenant();
  const mine = await createEnterprise(tenant._id, { districtCode: JINJIANG, name: "锦江本区机械有限公司" });
  const other = await createEnterprise(tenant._id, { districtCode: QINGYANG, name: "青羊他区化工有限公司" });
  const limitedUser = await createUser();
  const limitedMembership = await Membership.create({ tenantId: tenant._id, userId: limitedUser._id, role: "regulator", districtCodes: [JINJIANG] });
  const city = await createMember(tenant._id, "regulator");
  return {
    tenant,
    mine,
    other,
    limitedUser,
    limitedMembership,
    limited: await cookieFor(limitedUser._id),
    city: await cookieFor(city.user._id),
  };
}

const csvOf = (res: { data: unknown }) => String(res.data);

describe("district-limited regulator", () => {
  it("mirrors the membership's districts into the access document read on each request", async () => {
    const { tenant, limitedUser } = await setup();
    const access = await MemberAccess.findOne({ _id: memberAccessId(tenant._id, limitedUser._id) }).lean();
    expect(access?.districtCodes).toEqual([JINJIANG]);
  });

  it("gets 404 for another district's enterprise, application and certificate by URL", async () => {
    const { tenant, mine, other, limited, city } = await setup();
    const p = (id: Types.ObjectId) => ({ slug: tenant.slug, id: String(id) });
    expect((await callLoader(enterpriseLoader, `/t/${tenant.slug}/enterprises/${String(mine._id)}`, p(mine._id), { cookie: limited })).status).toBe(200);
    expect((await callLoader(enterpriseLoader, `/t/${tenant.slug}/enterprises/${String(other._id)}`, p(other._id), { cookie: limited })).status).toBe(404);
    expect((await callLoader(enterpriseLoader, `/t/${tenant.slug}/enterprises/${String(other._id)}`, p(other._id), { cookie: city })).status).toBe(200);

    const otherApp = await application(tenant._id, other._id, "2026");
    const mineApp = await application(tenant._id, mine._id, "2026");
    expect(otherApp.districtCode).toBe(QINGYANG);
    expect((await callLoader(applicationLoader, "/", p(otherApp._id), { cookie: limited })).status).toBe(404);
    expect((await callLoader(applicationLoader, "/", p(mineApp._id), { cookie: limited })).status).toBe(200);
    expect((await callLoader(applicationLoader, "/", p(otherApp._id), { cookie: city })).status).toBe(200);
    // The self-assessment behind it (wizard and printable report) is just as absent.
    expect((await callLoader(assessmentLoader, "/", p(otherApp._id), { cookie: limited })).status).toBe(404);
    expect((await callLoader(reportLoader, "/", p(otherApp._id), { cookie: limited })).status).toBe(404);
    expect((await callLoader(assessmentLoader, "/", p(mineApp._id), { cookie: limited })).status).toBe(200);

    const otherCert = await certificate(tenant._id, other, new Date("2026-03-01T02:00:00Z"), 1);
    expect((await callLoader(certificateLoader, "/", p(otherCert._id), { cookie: limited })).status).toBe(404);
    expect((await callLoader(certificateLoader, "/", p(otherCert._id), { cookie: city })).status).toBe(200);
  });

  it("sees only its districts in lists and none of another district's rows in CSV/XLSX exports", async () => {
    const { tenant, mine, other, limited, city } = await setup();
    await application(tenant._id, mine._id, "2026");
    await application(tenant._id, other._id, "2026");
    await certificate(tenant._id, mine, new Date("2026-02-01T02:00:00Z"), 1);
    await certificate(tenant._id, other, new Date("2026-02-02T02:00:00Z"), 2);
    const params = { slug: tenant.slug };
    const names = (res: { data: unknown }) => JSON.stringify(res.data);

    const list = await callLoader(enterprisesLoader, `/t/${tenant.slug}/enterprises`, params, { cookie: limited });
    expect(names(list)).toContain(mine.name);
    expect(names(list)).not.toContain(other.name);
    const asked = await callLoader(enterprisesLoader, `/t/${tenant.slug}/enterprises?district=${QINGYANG}`, params, { cookie: limited });
    expect((asked.data as { total: number }).total).toBe(0);
    expect((await callLoader(enterprisesLoader, `/t/${tenant.slug}/enterprises`, params, { cookie: city })).data).toMatchObject({ total: 2 });

    const apps = await callLoader(applicationsLoader, `/t/${tenant.slug}/applications?queue=acceptance`, params, { cookie: limited });
    expect(names(apps)).toContain(mine.name);
    expect(names(apps)).not.toContain(other.name);
    const certs = await callLoader(certificatesLoader, `/t/${tenant.slug}/certificates`, params, { cookie: limited });
    expect((certs.data as { total: number }).total).toBe(1);

    const csv = await callLoader(enterprisesCsvLoader, `/t/${tenant.slug}/enterprises.csv`, params, { cookie: limited });
    expect(csv.status).toBe(200);
    expect(csvOf(csv)).toContain(mine.creditCode);
    expect(csvOf(csv)).not.toContain(other.creditCode);
    const forced = await callLoader(enterprisesCsvLoader, `/t/${tenant.slug}/enterprises.csv?district=${QINGYANG}`, params, { cookie: limited });
    expect(csvOf(forced)).not.toContain(other.creditCode);

    const xlsxResponse = await enterprisesXlsxLoader({ request: makeRequest(`/t/${tenant.slug}/enterprises.xlsx`, { cookie: limited }), params, context: {} });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsxResponse.arrayBuffer());
    const cells: string[] = [];
    book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value)))));
    expect(cells).toContain(mine.creditCode);
    expect(cells).not.toContain(other.creditCode);

    await computeDashboardSnapshot({ tenantId: tenant._id });
    const dash = await callLoader(dashboardCsvLoader, `/t/${tenant.slug}/dashboard.csv?table=districts`, params, { cookie: limited });
    expect(dash.status).toBe(200);
    expect(csvOf(dash)).toContain("锦江区");
    expect(csvOf(dash)).not.toContain("青羊区");
  });

  it("credit-list records of another district's enterprise are not listed and 404 by URL", async () => {
    const { tenant, mine, other, limited, city } = await setup();
    const mineRecord = await createCreditRecord(tenant._id, { subjectName: mine.name, creditCode: mine.creditCode });
    const otherRecord = await createCreditRecord(tenant._id, { subjectName: other.name, creditCode: other.creditCode });
    await CreditRecord.updateOne({ tenantId: tenant._id, _id: mineRecord._id }, { $set: { enterpriseId: mine._id } });
    await CreditRecord.updateOne({ tenantId: tenant._id, _id: otherRecord._id }, { $set: { enterpriseId: other._id } });
    const params = { slug: tenant.slug };
    const list = await callLoader(creditListLoader, `/t/${tenant.slug}/credit`, params, { cookie: limited });
    expect(JSON.stringify(list.data)).toContain(mine.name);
    expect(JSON.stringify(list.data)).not.toContain(other.name);
    expect(JSON.stringify((await callLoader(creditListLoader, `/t/${tenant.slug}/credit`, params, { cookie: city })).data)).toContain(other.name);
    const detail = (id: Types.ObjectId, cookie: string) => callLoader(creditDetailLoader, "/", { slug: tenant.slug, id: String(id) }, { cookie });
    expect((await detail(otherRecord._id, limited)).status).toBe(404);
    expect((await detail(mineRecord._id, limited)).status).toBe(200);
    expect((await detail(otherRecord._id, city)).status).toBe(200);
  });

  it("dashboard figures cover only its districts; a city-level regulator sees all", async () => {
    const { tenant, mine, other } = await setup();
    await certificate(tenant._id, mine, new Date("2026-02-01T02:00:00Z"), 1);
    await certificate(tenant._id, other, new Date("2026-02-02T02:00:00Z"), 2);
    await computeDashboardSnapshot({ tenantId: tenant._id });
    const view = await getTenantBySlug({ slug: tenant.slug });
    if (!view) throw new Error("tenant");
    const search = new URLSearchParams("year=2026");
    const limited = await getDashboard({ tenant: view, search, scope: { districtCodes: [JINJIANG] } });
    expect(limited.enterprisesTotal).toBe(1);
    expect(limited.certifiedThisYear).toBe(1);
    expect(limited.byDistrict.map((d) => d.key)).toEqual([JINJIANG]);
    const all = await getDashboard({ tenant: view, search, scope: { districtCodes: [] } });
    expect(all.enterprisesTotal).toBe(2);
    expect(all.byDistrict.map((d) => d.key)).toEqual([JINJIANG, QINGYANG]);
  });

  it("emails to regulators about an application reach only those whose districts cover it", async () => {
    const { tenant, limitedUser } = await setup();
    const forOther = await resolveRecipients(tenant._id, { kind: "regulators" }, QINGYANG);
    const forMine = await resolveRecipients(tenant._id, { kind: "regulators" }, JINJIANG);
    expect(forOther.map((r) => r.email)).not.toContain(limitedUser.email);
    expect(forOther).toHaveLength(1);
    expect(forMine.map((r) => r.email)).toContain(limitedUser.email);
    expect(forMine).toHaveLength(2);
  });

  it("the tenant admin limits a regulator to districts on its page; unknown districts are refused", async () => {
    const { tenant, limitedUser, limitedMembership } = await setup();
    const admin = await createMember(tenant._id, "tenant_admin");
    const cookie = await cookieFor(admin.user._id);
    const params = { slug: tenant.slug, membershipId: String(limitedMembership._id) };
    const url = `/t/${tenant.slug}/admin/users/${String(limitedMembership._id)}/districts`;
    const bad = await callAction(districtsAction, url, params, { cookie, form: { districtCodes: "440305" } });
    expect(bad.status).toBe(400);
    const widen = await callAction(districtsAction, url, params, { cookie, form: {} });
    expect(widen.status).toBe(200);
    expect((await MemberAccess.findOne({ _id: memberAccessId(tenant._id, limitedUser._id) }).lean())?.districtCodes).toEqual([]);
    const regulatorCookie = await cookieFor(limitedUser._id);
    const forbidden = await callAction(districtsAction, url, params, { cookie: regulatorCookie, form: {} });
    expect(forbidden.status).toBe(403);
  });

  it("an application follows its enterprise when the enterprise moves district", async () => {
    const { tenant, mine } = await setup();
    const app = await application(tenant._id, mine._id, "2026");
    const admin = await createMember(tenant._id, "tenant_admin");
    const { updateEnterprise } = await import("~/data/enterprises.server");
    const result = await updateEnterprise({
      tenantId: tenant._id,
      id: mine._id,
      expectedVersion: mine.version,
      fields: { name: mine.name, creditCode: mine.creditCode, industry: mine.industry, sizeClass: mine.sizeClass, districtCode: QINGYANG, address: "", contactName: "", contactPhone: "" },
      actor: { id: admin.user._id, email: admin.user.email },
      ip: "127.0.0.1",
    });
    expect(result.ok).toBe(true);
    expect((await Assessment.findOne({ tenantId: tenant._id, _id: app._id }).lean())?.districtCode).toBe(QINGYANG);
  });
});

describe("yearly targets per district", () => {
  it("count first-time certifications only; renewals are shown apart", async () => {
    const tenant = await createTenant();
    await Tenant.updateOne(
      { _id: tenant._id },
      { $set: { "settings.yearlyTargets": [{ year: 2026, districtCode: JINJIANG, count: 4 }, { year: 2026, districtCode: QINGYANG, count: 2 }] } },
    );
    const renewing = await createEnterprise(tenant._id, { districtCode: JINJIANG });
    const fresh = await createEnterprise(tenant._id, { districtCode: JINJIANG });
    const elsewhere = await createEnterprise(tenant._id, { districtCode: QINGYANG });
    await certificate(tenant._id, renewing, new Date("2023-05-01T02:00:00Z"), 1);
    await certificate(tenant._id, renewing, new Date("2026-04-01T02:00:00Z"), 2);
    await certificate(tenant._id, fresh, new Date("2026-05-01T02:00:00Z"), 3);
    await certificate(tenant._id, elsewhere, new Date("2026-06-01T02:00:00Z"), 4);
    await computeDashboardSnapshot({ tenantId: tenant._id });
    const view = await getTenantBySlug({ slug: tenant.slug });
    if (!view) throw new Error("tenant");
    const f = await getDashboard({ tenant: view, search: new URLSearchParams("year=2026") });
    expect(f.certifiedThisYear).toBe(3);
    expect(f.firstTimeThisYear).toBe(2);
    expect(f.renewalsThisYear).toBe(1);
    expect(f.target).toBe(6);
    const jinjiang = f.byDistrict.find((d) => d.key === JINJIANG);
    expect(jinjiang).toMatchObject({ firstTime: 1, renewals: 1, target: 4 });
    expect(f.byDistrict.find((d) => d.key === QINGYANG)).toMatchObject({ firstTime: 1, renewals: 0, target: 2 });
    const one = await getDashboard({ tenant: view, search: new URLSearchParams(`year=2026&district=${JINJIANG}`) });
    expect(one.target).toBe(4);
    expect(one.firstTimeThisYear).toBe(1);
    const limited = await getDashboard({ tenant: view, search: new URLSearchParams("year=2026"), scope: { districtCodes: [QINGYANG] } });
    expect(limited.target).toBe(2);
    // No targets for a year: the tenant-wide yearly target stands.
    const other = await getDashboard({ tenant: view, search: new URLSearchParams("year=2025") });
    expect(other.target).toBe(view.settings.yearlyTarget);
  });
});
