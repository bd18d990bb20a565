/** Step 12 item 8: GB/T 4754 industry, 规上/规下 and the rubric proposal, licences, credit-code region. */
import type { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Enterprise } from "../../models/enterprise";
import { Registration } from "../../models/registration";
import { RubricVersion } from "../../models/rubric-version";
import { proposeStart } from "~/data/assessments.server";
import { listLicenceAlerts } from "~/data/enterprise-master/licences.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { computeCheckCharacter } from "~/lib/credit-code";
import { loader as elementLoader } from "~/routes/t.$slug.assessments.$id.$elementId";
import { action as licencesAction, loader as licencesLoader } from "~/routes/t.$slug.enterprises.$id_.licences";
import { action as newEnterpriseAction } from "~/routes/t.$slug.enterprises.new";
import { action as registerAction } from "~/routes/t.$slug.register";
import { callAction, callLoader } from "../route-helpers";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";

const DAY = 86_400_000;

/** A valid credit code whose characters 3–8 are `region`. */
function codeIn(region: string, tail = "MA6"): string {
  const body = `91${region}${tail}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`.slice(0, 17);
  return body + computeCheckCharacter(body);
}

const enterpriseForm = (overrides: Record<string, string> = {}) => ({
  name: "成都测试机械制造有限公司",
  creditCode: codeIn("510104"),
  industry: "machinery",
  sizeClass: "medium",
  districtCode: "510104",
  industryDivision: "34",
  scale: "above",
  address: "",
  contactName: "",
  contactPhone: "",
  ...overrides,
});

describe("industry per GB/T 4754 and 规上/规下", () => {
  it("stores division and section, and refuses an industry that does not fit the division", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(user._id);
    const params = { slug: tenant.slug };
    const bad = await callAction(newEnterpriseAction, `/t/${tenant.slug}/enterprises/new`, params, {
      cookie,
      form: enterpriseForm({ industry: "commerce", industryDivision: "34" }),
    });
    expect(bad.status).toBe(400);
    expect((bad.data as { errors: Record<string, string> }).errors.industry).toBe("enterprise.industry.divisionMismatch");
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
    const ok = await callAction(newEnterpriseAction, `/t/${tenant.slug}/enterprises/new`, params, { cookie, form: enterpriseForm() });
    expect(ok.status).toBe(302);
    const saved = await Enterprise.findOne({ tenantId: tenant._id }).lean();
    expect(saved).toMatchObject({ industryDivision: "34", industrySection: "C", scale: "above" });
  });

  it("proposes the small/micro rubric for a 规下 enterprise whatever its size class", async () => {
    await importRubricFiles();
    const tenant = await createTenant();
    const above = await createEnterprise(tenant._id, { sizeClass: "medium" });
    const below = await createEnterprise(tenant._id, { sizeClass: "medium" });
    await Enterprise.updateOne({ tenantId: tenant._id, _id: above._id }, { $set: { scale: "above" } });
    await Enterprise.updateOne({ tenantId: tenant._id, _id: below._id }, { $set: { scale: "below" } });
    const forAbove = await proposeStart({ tenantId: tenant._id, enterpriseId: above._id });
    const forBelow = await proposeStart({ tenantId: tenant._id, enterpriseId: below._id });
    expect(forAbove?.rubrics.map((r) => r.key)).not.toContain("small-micro");
    expect(forBelow?.rubrics[0]?.key).toBe("small-micro");
  });
});

describe("licences", () => {
  async function withAssessment() {
    await importRubricFiles();
    const tenant = await createTenant();
    const enterprise = await createEnterprise(tenant._id, { sizeClass: "small", districtCode: "510104" });
    const { user } = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
    const version = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean<{ _id: Types.ObjectId; key: string; version: string }>();
    if (!version) throw new Error("rubric");
    const assessment = await Assessment.create({
      tenantId: tenant._id,
      enterpriseId: enterprise._id,
      cycle: "2026",
      rubricVersionId: version._id,
      rubricKey: version.key,
      rubricVersion: version.version,
      createdBy: user._id,
      state: "draft",
      answers: [],
    });
    return { tenant, enterprise, assessment, cookie: await cookieFor(user._id) };
  }

  it("an expired licence warns on the licence veto item of the self-assessment and tasks the regulator", async () => {
    const { tenant, enterprise, assessment, cookie } = await withAssessment();
    const params = { slug: tenant.slug, id: String(enterprise._id) };
    const url = `/t/${tenant.slug}/enterprises/${String(enterprise._id)}/licences`;
    const badDate = await callAction(licencesAction, url, params, { cookie, form: { type: "safety-production", number: "（川）WH安许证字[2023]001", expiresAt: "2025-02-30" } });
    expect(badDate.status).toBe(400);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id, licenceNextExpiry: { $ne: null } })).toBe(0);

    const expired = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10);
    const saved = await callAction(licencesAction, url, params, { cookie, form: { type: "safety-production", number: "（川）WH安许证字[2023]001", expiresAt: expired } });
    expect(saved.status).toBe(200);
    const page = await callLoader(licencesLoader, url, params, { cookie });
    expect((page.data as { licences: Array<{ state: string }> }).licences[0]?.state).toBe("expired");

    const e1 = await callLoader(elementLoader, "/", { slug: tenant.slug, id: String(assessment._id), elementId: "E1" }, { cookie });
    expect(e1.status).toBe(200);
    const warnings = (e1.data as { licenceWarnings: Array<{ itemId: string; state: string }> }).licenceWarnings;
    expect(warnings).toEqual([expect.objectContaining({ itemId: "E1.1.1", state: "expired", type: "safety-production" })]);
    const e2 = await callLoader(elementLoader, "/", { slug: tenant.slug, id: String(assessment._id), elementId: "E2" }, { cookie });
    expect((e2.data as { licenceWarnings: unknown[] }).licenceWarnings).toEqual([]);

    const alerts = await listLicenceAlerts({ tenantId: tenant._id });
    expect(alerts).toEqual([expect.objectContaining({ enterpriseId: String(enterprise._id), state: "expired" })]);
    expect(await listLicenceAlerts({ tenantId: tenant._id, scope: { districtCodes: ["510105"] } })).toEqual([]);
  });

  it("a licence valid for months raises nothing; one expiring within 30 days is 'expiring'", async () => {
    const { tenant, enterprise, assessment, cookie } = await withAssessment();
    const params = { slug: tenant.slug, id: String(enterprise._id) };
    const url = `/t/${tenant.slug}/enterprises/${String(enterprise._id)}/licences`;
    const far = new Date(Date.now() + 200 * DAY).toISOString().slice(0, 10);
    await callAction(licencesAction, url, params, { cookie, form: { type: "hazchem-trading", number: "A-1", expiresAt: far } });
    const e1 = await callLoader(elementLoader, "/", { slug: tenant.slug, id: String(assessment._id), elementId: "E1" }, { cookie });
    expect((e1.data as { licenceWarnings: unknown[] }).licenceWarnings).toEqual([]);
    expect(await listLicenceAlerts({ tenantId: tenant._id })).toEqual([]);
    const soon = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    await callAction(licencesAction, url, params, { cookie, form: { type: "hazchem-trading", number: "A-1", expiresAt: soon } });
    expect((await listLicenceAlerts({ tenantId: tenant._id }))[0]?.state).toBe("expiring");
  });
});

describe("registration: credit-code region", () => {
  const registration = (creditCode: string, extra: Record<string, string> = {}) => ({
    ...enterpriseForm({ creditCode }),
    adminName: "张三",
    adminEmail: `reg-${Math.random().toString(36).slice(2)}@example.cn`,
    password: "Safety-first-2026",
    confirmPassword: "Safety-first-2026",
    ...extra,
  });

  it("warns when characters 3–8 are not in the district's province; confirmed, it goes ahead", async () => {
    const tenant = await createTenant();
    const params = { slug: tenant.slug };
    const url = `/t/${tenant.slug}/register`;
    const guangdong = codeIn("440300");
    const warned = await callAction(registerAction, url, params, { form: registration(guangdong) });
    expect(warned.status).toBe(400);
    expect(warned.data).toMatchObject({ regionWarning: true });
    expect((warned.data as { errors: Record<string, string> }).errors.creditCode).toMatch(/^enterprise\.region\.mismatch\?region=440300/);
    expect(await Registration.countDocuments({ tenantId: tenant._id })).toBe(0);
    const confirmed = await callAction(registerAction, url, params, { form: registration(guangdong, { confirmRegion: "1" }) });
    expect(confirmed.status).toBe(302);
    // The GB/T 4754 division and 规上/规下 travel with the registration (to the enterprise on approval).
    expect((await Registration.findOne({ tenantId: tenant._id }).lean())?.enterprise).toMatchObject({ industryDivision: "34", scale: "above" });
    const local = await callAction(registerAction, url, params, { form: registration(codeIn("510107")) });
    expect(local.status).toBe(302);
    expect(await Registration.countDocuments({ tenantId: tenant._id })).toBe(2);
  });
});
