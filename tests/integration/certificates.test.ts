import { startInsideOneWindow } from "../rate-window";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Types } from "mongoose";
import { afterAll, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { AuditEvent } from "../../models/audit-event";
import { Certificate } from "../../models/certificate";
import { OutboxMessage } from "../../models/outbox-message";
import { RubricVersion } from "../../models/rubric-version";
import { Tenant } from "../../models/tenant";
import {
  VERIFY_RATE_LIMIT,
  getCertificate,
  isBlockedFromApplying,
  issueCertificateForApplication,
  issuePendingCertificates,
  registryCsv,
  revokeCertificate,
  runCertificateLifecycle,
  startRenewal,
  suspendCertificate,
  verificationUrl,
  verifyCertificate,
  type CertificateRecord,
} from "~/data/certificates.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { formatCertificateNumber, patternProblems, validUntilFor } from "~/lib/certificate";
import { loader as apiLoader } from "~/routes/api.public.certificates.$code";
import { action as detailAction, loader as detailLoader } from "~/routes/t.$slug.certificates.$id";
import { loader as pdfLoader } from "~/routes/t.$slug.certificates.$id[.pdf]";
import { loader as listLoader } from "~/routes/t.$slug.certificates._index";
import { loader as registryCsvLoader } from "~/routes/t.$slug.registry[.csv]";
import { loader as registryLoader } from "~/routes/t.$slug.registry";
import { loader as verifyPdfLoader } from "~/routes/verify.$code[.pdf]";
import { loader as verifyPageLoader } from "~/routes/verify.$code";
import { cookieFor, createEnterprise, createMember, createReviewBody, createTenant } from "../factories";
import { callAction, callLoader, makeRequest, type FormFields } from "../route-helpers";

const tmp = mkdtempSync(path.join(os.tmpdir(), "sg-certificates-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;
const PATTERN = "CDAQBZ-{YYYY}-{SEQ:5}";
const ENTERPRISE = "成都安泰机械制造有限公司";

async function setupTenant(options: { pattern?: string; slug?: string } = {}) {
  await importRubricFiles();
  const tenant = await createTenant({ slug: options.slug, zh: "成都市应急管理局" });
  await Tenant.updateOne(
    { _id: tenant._id },
    { $set: { "settings.certificateNumberPattern": options.pattern ?? PATTERN } },
  );
  const regulator = await createMember(tenant._id, "regulator");
  return { tenant, regulator, regulatorCookie: await cookieFor(regulator.user._id) };
}

let cycleCounter = 2000;
/** An application as Step 4 leaves it after CERTIFY: state "certified" with the pending marker. */
async function certifiedApplication(
  tenantId: Types.ObjectId,
  enterpriseId: Types.ObjectId,
  options: {
    issuedAt?: Date;
    level?: string;
    createdBy?: Types.ObjectId;
    cycle?: string;
    certifiedBy?: Types.ObjectId | null;
  } = {},
) {
  const meta = await RubricVersion.findOne({ tenantId: null, key: "general-tier3" }).lean();
  if (!meta) throw new Error("rubric general-tier3 not imported");
  const issuedAt = options.issuedAt ?? new Date(Date.now() - 10 * DAY);
  return Assessment.create({
    tenantId,
    enterpriseId,
    cycle: options.cycle ?? String(cycleCounter++),
    rubricVersionId: meta._id,
    rubricKey: meta.key,
    rubricVersion: meta.version,
    createdBy: options.createdBy ?? enterpriseId,
    appliedLevel: options.level ?? "level3",
    state: "certified",
    pendingCertificate: {
      level: options.level ?? "level3",
      appliedLevel: options.level ?? "level3",
      lowerLevel: false,
      issuedAt,
      certifiedBy: options.certifiedBy ?? null,
      version: 12,
    },
    version: 12,
  });
}

async function issued(
  tenantId: Types.ObjectId,
  applicationId: Types.ObjectId,
  now = new Date(),
): Promise<CertificateRecord> {
  const result = await issueCertificateForApplication({ tenantId, applicationId, now });
  if (!result.ok) throw new Error(`issue failed: ${result.error}`);
  return result.certificate;
}

/** A tenant, an enterprise with an admin, and one valid certificate. */
async function withCertificate(options: { issuedAt?: Date } = {}) {
  const ctx = await setupTenant();
  const enterprise = await createEnterprise(ctx.tenant._id, {
    name: ENTERPRISE,
    creditCode: "914403001922038216",
    industry: "machinery",
  });
  const admin = await createMember(ctx.tenant._id, "enterprise_admin", {
    enterpriseId: enterprise._id,
  });
  const app = await certifiedApplication(ctx.tenant._id, enterprise._id, {
    issuedAt: options.issuedAt,
    createdBy: admin.user._id,
    cycle: "2026",
    certifiedBy: ctx.regulator.user._id,
  });
  const certificate = await issued(ctx.tenant._id, app._id);
  return {
    ...ctx,
    enterprise,
    admin,
    app,
    certificate,
    adminCookie: await cookieFor(admin.user._id),
  };
}

function tool(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8" });
}

async function pdfBytes(response: unknown): Promise<Buffer> {
  if (!(response instanceof Response)) throw new Error("expected a Response");
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/pdf");
  return Buffer.from(await response.arrayBuffer());
}

async function fetchPdf(slug: string, id: string, cookie: string): Promise<Buffer> {
  const request = makeRequest(`/t/${slug}/certificates/${id}.pdf`, { cookie });
  return pdfBytes(await pdfLoader({ request, params: { slug, id }, context: {} }));
}

async function apiFrom(code: string, ip: string) {
  const response = await apiLoader({
    request: makeRequest(`/api/public/certificates/${code}`, { headers: { "x-sg-client-ip": ip } }),
    params: { code },
    context: {},
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("certificate numbers", () => {
  it("follow the tenant's pattern, run per tenant and year, and an application gets one certificate", async () => {
    const { tenant } = await setupTenant();
    const e1 = await createEnterprise(tenant._id, {
      name: ENTERPRISE,
      creditCode: "914403001922038216",
      districtCode: "510105",
    });
    const e2 = await createEnterprise(tenant._id);
    const a1 = await certifiedApplication(tenant._id, e1._id, {
      issuedAt: new Date("2026-03-02T02:00:00Z"),
    });
    const a2 = await certifiedApplication(tenant._id, e2._id, {
      issuedAt: new Date("2026-05-10T02:00:00Z"),
    });
    // 31 Dec 20:00 UTC is already 1 Jan in China: the number belongs to 2027.
    const a3 = await certifiedApplication(tenant._id, e1._id, {
      issuedAt: new Date("2026-12-31T20:00:00Z"),
    });

    const first = await issueCertificateForApplication({
      tenantId: tenant._id,
      applicationId: a1._id,
    });
    expect(first.ok && first.created).toBe(true);
    if (!first.ok) return;
    const c1 = first.certificate;
    expect(c1.number).toBe("CDAQBZ-2026-00001");
    expect(c1.verifyCode).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(c1.status).toBe("active");
    expect(c1.level).toBe("level3");
    expect(c1.levelName).toEqual({ zh: "三级", en: "Level 3" });
    expect(c1.enterprise).toEqual({
      name: ENTERPRISE,
      creditCode: "914403001922038216",
      industry: "machinery",
      districtCode: "510105",
      districtName: "青羊区",
    });
    expect(c1.issuer.zh).toBe("成都市应急管理局");
    expect(c1.issuedAt.toISOString()).toBe("2026-03-02T02:00:00.000Z");
    // Three years (default), to the end of the day before the anniversary, China time.
    expect(c1.validUntil.toISOString()).toBe("2029-03-01T15:59:59.999Z");
    expect(c1.history.map((h) => h.action)).toEqual(["issued"]);

    // Idempotent: the same application returns the same certificate.
    const again = await issueCertificateForApplication({
      tenantId: tenant._id,
      applicationId: a1._id,
    });
    expect(again.ok && !again.created && String(again.certificate._id)).toBe(String(c1._id));
    // The application is only read: Step 4's document, marker and version stay as they were.
    expect(await Assessment.findOne({ tenantId: tenant._id, _id: a1._id }).lean()).toMatchObject({
      version: 12,
      pendingCertificate: { level: "level3" },
    });

    expect((await issued(tenant._id, a2._id)).number).toBe("CDAQBZ-2026-00002");
    expect((await issued(tenant._id, a3._id)).number).toBe("CDAQBZ-2027-00001");

    // Another tenant counts on its own.
    const other = await setupTenant();
    const e3 = await createEnterprise(other.tenant._id);
    const a4 = await certifiedApplication(other.tenant._id, e3._id, {
      issuedAt: new Date("2026-06-01T02:00:00Z"),
    });
    expect((await issued(other.tenant._id, a4._id)).number).toBe("CDAQBZ-2026-00001");

    // Not certified → no certificate.
    const draft = await Assessment.create({
      tenantId: tenant._id,
      enterpriseId: e2._id,
      cycle: "2030",
      rubricVersionId: a1.rubricVersionId,
      rubricKey: "general-tier3",
      rubricVersion: a1.rubricVersion,
      createdBy: e2._id,
    });
    expect(
      await issueCertificateForApplication({ tenantId: tenant._id, applicationId: draft._id }),
    ).toEqual({ ok: false, error: "notCertified" });
    // Tenant-scoped: another tenant's id is not found.
    expect(
      await issueCertificateForApplication({ tenantId: other.tenant._id, applicationId: a1._id }),
    ).toEqual({ ok: false, error: "applicationNotFound" });
  });

  it("has no gaps or duplicates with 10 concurrent certifications (each also issued twice at once)", async () => {
    const { tenant } = await setupTenant();
    const issuedAt = new Date("2026-04-01T03:00:00Z");
    const apps = await Promise.all(
      Array.from({ length: 10 }, async () =>
        certifiedApplication(tenant._id, (await createEnterprise(tenant._id))._id, { issuedAt }),
      ),
    );
    const results = await Promise.all(
      [...apps, ...apps].map((a) =>
        issueCertificateForApplication({ tenantId: tenant._id, applicationId: a._id }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const created = results.filter((r) => r.ok && r.created);
    expect(created).toHaveLength(10);
    const stored = await Certificate.find({ tenantId: tenant._id }).lean();
    expect(stored).toHaveLength(10);
    expect(stored.map((c) => c.number).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `CDAQBZ-2026-${String(i + 1).padStart(5, "0")}`),
    );
    expect(new Set(stored.map((c) => String(c.applicationId))).size).toBe(10);
    expect(new Set(stored.map((c) => c.verifyCode)).size).toBe(10);
    // Both calls for one application agree on its certificate.
    for (const [i, app] of apps.entries()) {
      const a = results[i];
      const b = results[i + apps.length];
      expect(a?.ok && b?.ok && String(a.certificate._id) === String(b.certificate._id)).toBe(true);
      expect(a?.ok && String(a.certificate.applicationId)).toBe(String(app._id));
    }
    // The next one continues the sequence.
    const late = await certifiedApplication(tenant._id, (await createEnterprise(tenant._id))._id, {
      issuedAt,
    });
    expect((await issued(tenant._id, late._id)).number).toBe("CDAQBZ-2026-00011");
  });

  it("formats and checks patterns", () => {
    expect(
      formatCertificateNumber("{REGION}AQ〔{YY}〕{SEQ}号", {
        year: 2026,
        seq: 42,
        region: "510100",
      }),
    ).toBe("510100AQ〔26〕42号");
    expect(patternProblems(PATTERN)).toEqual([]);
    expect(patternProblems("AQBZ-{YYYY}")).toContain("noSequence");
    expect(patternProblems("AQBZ-{yyyy}-{SEQ:4}")).toContain("unknownToken");
    expect(validUntilFor(new Date("2028-02-29T04:00:00Z"), 3).toISOString()).toBe(
      "2031-02-28T15:59:59.999Z",
    );
  });

  it("issues what the crash-safety job finds: certified applications still without a certificate", async () => {
    const { tenant } = await setupTenant();
    const app = await certifiedApplication(tenant._id, (await createEnterprise(tenant._id))._id);
    const { registerAllJobs } = await import("~/jobs/index.server");
    const { registeredJobs } = await import("~/jobs/scheduler.server");
    registerAllJobs();
    expect(registeredJobs().map((j) => j.name)).toEqual(
      expect.arrayContaining(["issue-pending-certificates", "certificate-lifecycle"]),
    );
    expect(await issuePendingCertificates({ now: new Date() })).toEqual({ issued: 1, failed: 0 });
    expect(await Certificate.countDocuments({ tenantId: tenant._id, applicationId: app._id })).toBe(
      1,
    );
    expect(await issuePendingCertificates({ now: new Date() })).toEqual({ issued: 0, failed: 0 });
  });
});

describe("integration with the grading workflow (Step 4)", () => {
  it("CERTIFY through applyApplicationEvent issues the certificate; the application stays as Step 4 wrote it", async () => {
    const { tenant, regulator } = await setupTenant();
    const enterprise = await createEnterprise(tenant._id, {
      industry: "chemical",
      sizeClass: "large",
    });
    const admin = await createMember(tenant._id, "enterprise_admin", {
      enterpriseId: enterprise._id,
    });
    const [r1, r2] = await Promise.all([
      createMember(tenant._id, "reviewer"),
      createMember(tenant._id, "reviewer"),
    ]);
    const settings = (await Tenant.findOne({ _id: tenant._id }).lean())?.settings;
    if (!settings) throw new Error("tenant settings missing");
    const { body, admin: bodyAdmin } = await createReviewBody(tenant._id, [r1.user._id, r2.user._id]);
    const { seedDemoApplication } = await import("../../scripts/lib/seed-certificate");
    const { applicationId, version } = await seedDemoApplication(
      {
        tenantId: tenant._id,
        enterpriseId: enterprise._id,
        enterpriseAdminId: admin.user._id,
        regulatorId: regulator.user._id,
        reviewerIds: [r1.user._id, r2.user._id],
        reviewBodyId: body._id,
        reviewBodyAdminId: bodyAdmin.user._id,
        settings,
      },
      { certify: false },
    );
    const { applyApplicationEvent } = await import("~/data/grading.server");
    const { permissionsFor } = await import("~/lib/permissions");
    const member = {
      tenantId: tenant._id,
      roles: ["regulator" as const],
      permissions: permissionsFor(["regulator"]),
      enterpriseId: null,
      user: { _id: regulator.user._id, email: regulator.user.email },
    };
    const result = await applyApplicationEvent({
      tenantId: tenant._id,
      applicationId,
      event: { type: "CERTIFY" },
      actor: { kind: "member", member },
      expectedVersion: version,
    });
    expect(result.ok).toBe(true);
    const cert = await Certificate.findOne({ tenantId: tenant._id, applicationId }).lean();
    expect(cert?.number).toMatch(/^CDAQBZ-\d{4}-00001$/);
    expect(cert?.levelName.zh).toBe("三级");
    expect(String(cert?.history[0]?.actorId)).toBe(String(regulator.user._id));
    const app = await Assessment.findOne({ tenantId: tenant._id, _id: applicationId }).lean();
    expect(app).toMatchObject({
      state: "certified",
      version: version + 1,
      pendingCertificate: { level: "level3" },
    });
    // The crash-safety job finds nothing left to do.
    expect(await issuePendingCertificates({ now: new Date() })).toEqual({ issued: 0, failed: 0 });
  });
});

describe("certificate PDF", () => {
  it("prints number, name, level and dates in an embedded subset font, with a QR code to the verification URL, deterministically", async () => {
    const ctx = await withCertificate({ issuedAt: new Date("2026-03-02T02:00:00Z") });
    const cert = ctx.certificate;
    const bytes = await fetchPdf(ctx.tenant.slug, String(cert._id), ctx.regulatorCookie);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(bytes.length).toBeLessThan(150 * 1024);
    const file = path.join(tmp, "certificate.pdf");
    writeFileSync(file, bytes);

    const text = tool("pdftotext", ["-enc", "UTF-8", file, "-"]);
    const flat = text.replace(/\s+/g, "");
    for (const expected of [
      cert.number,
      ENTERPRISE,
      "914403001922038216",
      "三级",
      "安全生产标准化证书",
      "成都市应急管理局",
      "2026年3月2日",
      "2029年3月1日",
      "机械",
    ]) {
      expect(flat, expected).toContain(expected);
    }
    const fonts = tool("pdffonts", [file])
      .split("\n")
      .filter((line) => /NotoSansSC/.test(line));
    expect(fonts.length).toBeGreaterThanOrEqual(1);
    for (const line of fonts) {
      expect(line).toMatch(/^[A-Z]{6}\+NotoSansSC/);
      expect(line).toMatch(/\s+yes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$/);
    }

    tool("pdftoppm", ["-png", "-r", "150", "-singlefile", file, path.join(tmp, "certificate")]);
    const decoded = tool("zbarimg", ["--raw", "-q", path.join(tmp, "certificate.png")]).trim();
    expect(decoded).toBe(verificationUrl(cert.verifyCode));
    expect(decoded).toBe(`http://localhost:3000/verify/${cert.verifyCode}`);

    // Same record → same bytes, whoever downloads it (enterprise, regulator, public by code).
    expect(
      (await fetchPdf(ctx.tenant.slug, String(cert._id), ctx.regulatorCookie)).equals(bytes),
    ).toBe(true);
    expect((await fetchPdf(ctx.tenant.slug, String(cert._id), ctx.adminCookie)).equals(bytes)).toBe(
      true,
    );
    const publicPdf = await pdfBytes(
      await verifyPdfLoader({
        request: makeRequest(`/verify/${cert.verifyCode}.pdf`),
        params: { code: cert.verifyCode },
        context: {},
      }),
    );
    expect(publicPdf.equals(bytes)).toBe(true);
    // A certificate that is no longer valid is never printed clean (issue 16; certificate-validity.test.ts).
    await suspendCertificate({
      tenantId: ctx.tenant._id,
      id: cert._id,
      reason: "整改期间暂停",
      actor: { id: ctx.regulator.user._id, email: "r@example.com" },
    });
    expect(
      (await fetchPdf(ctx.tenant.slug, String(cert._id), ctx.regulatorCookie)).equals(bytes),
    ).toBe(false);
  });

  it("prints the tenant's seal when one is configured", async () => {
    const ctx = await withCertificate();
    const plain = await fetchPdf(ctx.tenant.slug, String(ctx.certificate._id), ctx.regulatorCookie);
    const { default: QRCode } = await import("qrcode");
    const seal = await QRCode.toBuffer("seal", {
      type: "png",
      color: { dark: "#dc2626ff", light: "#00000000" },
    });
    await Tenant.updateOne(
      { _id: ctx.tenant._id },
      { $set: { "settings.certificateSealPng": seal } },
    );
    // Ordinary tenant reads do not carry the image.
    const { getTenantBySlug } = await import("~/data/tenants.server");
    expect(
      (await getTenantBySlug({ slug: ctx.tenant.slug }))?.settings.certificateSealPng,
    ).toBeUndefined();
    const sealed = await fetchPdf(
      ctx.tenant.slug,
      String(ctx.certificate._id),
      ctx.regulatorCookie,
    );
    expect(sealed.length).toBeGreaterThan(plain.length);
    expect((sealed.toString("latin1").match(/\/Subtype \/Image/g) ?? []).length).toBeGreaterThan(
      (plain.toString("latin1").match(/\/Subtype \/Image/g) ?? []).length,
    );
  });

  it("is only served to the certificate's enterprise and tenant-wide readers", async () => {
    const ctx = await withCertificate();
    const id = String(ctx.certificate._id);
    const stranger = await createMember(ctx.tenant._id, "enterprise_admin");
    const reviewer = await createMember(ctx.tenant._id, "reviewer");
    const other = await setupTenant();
    const status = async (slug: string, cookie: string) =>
      (await callLoader(pdfLoader, `/t/${slug}/certificates/${id}.pdf`, { slug, id }, { cookie }))
        .status;
    expect(await status(ctx.tenant.slug, await cookieFor(stranger.user._id))).toBe(404);
    expect(await status(ctx.tenant.slug, await cookieFor(reviewer.user._id))).toBe(403);
    // Cross-tenant: tenant B's regulator asking through B's URL sees nothing.
    expect(await status(other.tenant.slug, other.regulatorCookie)).toBe(404);
    expect(
      (
        await callLoader(
          detailLoader,
          `/t/${other.tenant.slug}/certificates/${id}`,
          { slug: other.tenant.slug, id },
          { cookie: other.regulatorCookie },
        )
      ).status,
    ).toBe(404);
    // … and through A's URL they are not a member.
    expect(
      (
        await callLoader(
          detailLoader,
          `/t/${ctx.tenant.slug}/certificates/${id}`,
          { slug: ctx.tenant.slug, id },
          { cookie: other.regulatorCookie },
        )
      ).status,
    ).toBe(302);
  });
});

describe("public verification", () => {
  it("says VALID, SUSPENDED, REVOKED and EXPIRED in words, with dates and the public reason", async () => {
    const ctx = await withCertificate();
    const code = ctx.certificate.verifyCode;
    const actor = { id: ctx.regulator.user._id, email: "regulator@example.com" };

    let res = await callLoader(apiLoader, `/api/public/certificates/${code}`, { code });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      state: "VALID",
      stateText: "证书有效",
      number: ctx.certificate.number,
      enterprise: { name: ENTERPRISE, creditCode: "914403001922038216" },
      level: { key: "level3", name: { zh: "三级" } },
      issuer: { zh: "成都市应急管理局" },
      reason: null,
    });
    const page = await callLoader(verifyPageLoader, `/verify/${code}`, { code });
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ kind: "found", certificate: { state: "VALID" } });

    await suspendCertificate({
      tenantId: ctx.tenant._id,
      id: ctx.certificate._id,
      reason: "发生一般事故，停产整顿",
      actor,
    });
    res = await callLoader(apiLoader, `/api/public/certificates/${code}`, { code });
    expect(res.data).toMatchObject({
      state: "SUSPENDED",
      stateText: "证书已暂停",
      reason: "发生一般事故，停产整顿",
    });
    expect(typeof (res.data as { suspendedAt: unknown }).suspendedAt).toBe("string");

    await revokeCertificate({
      tenantId: ctx.tenant._id,
      id: ctx.certificate._id,
      reason: "瞒报生产安全事故",
      grounds: ["concealedAccident"],
      actor,
    });
    res = await callLoader(apiLoader, `/api/public/certificates/${code}`, { code });
    expect(res.data).toMatchObject({
      state: "REVOKED",
      stateText: "证书已撤销",
      reason: "瞒报生产安全事故",
      suspendedAt: null,
      grounds: [{ key: "concealedAccident", text: "瞒报、谎报生产安全事故" }],
      pdfUrl: null,
    });
    expect(typeof (res.data as { revokedAt: unknown }).revokedAt).toBe("string");

    // Expiry with a moved clock: the day after the end of validity it is EXPIRED even before the job ran.
    const fresh = await withCertificate();
    const after = new Date(fresh.certificate.validUntil.getTime() + 1000);
    expect(
      (await verifyCertificate({ code: fresh.certificate.verifyCode, now: after }))?.state,
    ).toBe("EXPIRED");
    expect(
      (
        await verifyCertificate({
          code: fresh.certificate.verifyCode,
          now: new Date(after.getTime() - 2000),
        })
      )?.state,
    ).toBe("VALID");
    await runCertificateLifecycle({ now: after });
    expect(
      (await getCertificate({ tenantId: fresh.tenant._id, id: fresh.certificate._id }))?.status,
    ).toBe("expired");
    expect(
      (await verifyCertificate({ code: fresh.certificate.verifyCode, now: after }))?.state,
    ).toBe("EXPIRED");
    // And through the API, for a certificate whose end date is already past on the real clock.
    const old = await withCertificate({ issuedAt: new Date("2020-01-05T02:00:00Z") });
    res = await callLoader(apiLoader, `/api/public/certificates/${old.certificate.verifyCode}`, {
      code: old.certificate.verifyCode,
    });
    expect(res.data).toMatchObject({
      state: "EXPIRED",
      stateText: "证书已过期",
      validUntil: "2023-01-04T15:59:59.999Z",
    });
  });

  it("answers 404 with a clear message for an unknown or malformed code", async () => {
    for (const code of ["AAAAAAAAAAAAAAAAAAAAAA", "nope", "../../etc"]) {
      const res = await callLoader(apiLoader, `/api/public/certificates/${code}`, { code });
      expect(res.status).toBe(404);
      expect(res.data).toMatchObject({
        error: "NOT_FOUND",
        message: expect.stringContaining("找不到"),
      });
      const page = await callLoader(verifyPageLoader, `/verify/${code}`, { code });
      expect(page.status).toBe(404);
      expect(page.data).toMatchObject({ kind: "notFound" });
    }
  });

  it("limits requests per IP with a translated 429", async () => {
    const ctx = await withCertificate();
    const code = ctx.certificate.verifyCode;
    await startInsideOneWindow(VERIFY_RATE_LIMIT.windowMs);
    for (let i = 0; i < VERIFY_RATE_LIMIT.limit; i++)
      expect((await apiFrom(code, "203.0.113.9")).status).toBe(200);
    const limited = await apiFrom(code, "203.0.113.9");
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      error: "RATE_LIMITED",
      message: expect.stringContaining("过于频繁"),
    });
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    // The page and the PDF share the limit; another IP is unaffected.
    const page = await verifyPageLoader({
      request: makeRequest(`/verify/${code}`, { headers: { "x-sg-client-ip": "203.0.113.9" } }),
      params: { code },
      context: {},
    });
    expect(page).toMatchObject({ init: { status: 429 } });
    expect((await apiFrom(code, "203.0.113.10")).status).toBe(200);
  });
});

describe("suspend, reinstate, revoke", () => {
  const post = (slug: string, id: string, cookie: string, form: FormFields) =>
    callAction(detailAction, `/t/${slug}/certificates/${id}`, { slug, id }, { cookie, form });

  it("require a reason, record history and audit, and email the enterprise admins", async () => {
    const ctx = await withCertificate();
    const slug = ctx.tenant.slug;
    const id = String(ctx.certificate._id);
    const second = await createMember(ctx.tenant._id, "enterprise_admin", {
      enterpriseId: ctx.enterprise._id,
    });

    for (const intent of ["suspend", "revoke"]) {
      const res = await post(slug, id, ctx.regulatorCookie, {
        intent,
        reason: "   ",
        version: "0",
      });
      expect(res.status).toBe(400);
      expect(res.data).toMatchObject({ ok: false, errors: { reason: "errors.reasonRequired" } });
    }
    // An enterprise admin cannot change the status.
    expect(
      (await post(slug, id, ctx.adminCookie, { intent: "suspend", reason: "x", version: "0" }))
        .status,
    ).toBe(403);
    // Reinstating an active certificate is not a thing.
    expect(
      (
        await post(slug, id, ctx.regulatorCookie, {
          intent: "reinstate",
          reason: "x",
          version: "0",
        })
      ).status,
    ).toBe(409);

    let res = await post(slug, id, ctx.regulatorCookie, {
      intent: "suspend",
      reason: "停产整顿期间暂停",
      version: "0",
    });
    expect(res).toMatchObject({
      status: 200,
      data: { ok: true, notice: "certificate.notice.suspended" },
    });
    // A form loaded before that change is stale.
    expect(
      (
        await post(slug, id, ctx.regulatorCookie, {
          intent: "revoke",
          grounds: ["fatalAccident"],
          reason: "x",
          confirm: "on",
          version: "0",
        })
      ).data,
    ).toMatchObject({
      errors: { _form: "certificate.errors.conflict" },
    });
    res = await post(slug, id, ctx.regulatorCookie, {
      intent: "reinstate",
      reason: "整改完成，复查合格",
      version: "1",
    });
    expect(res.data).toMatchObject({ ok: true });
    const now = new Date();
    res = await post(slug, id, ctx.regulatorCookie, {
      intent: "revoke",
      grounds: ["concealedAccident"],
      reason: "瞒报生产安全事故",
      confirm: "on",
      version: "2",
    });
    expect(res.data).toMatchObject({ ok: true });
    expect(
      (await post(slug, id, ctx.regulatorCookie, { intent: "suspend", reason: "x", version: "3" }))
        .status,
    ).toBe(409);

    const cert = await getCertificate({ tenantId: ctx.tenant._id, id });
    expect(cert?.status).toBe("revoked");
    expect(cert?.history.map((h) => [h.action, h.reason])).toEqual([
      ["issued", ""],
      ["suspended", "停产整顿期间暂停"],
      ["reinstated", "整改完成，复查合格"],
      ["revoked", "瞒报生产安全事故"],
    ]);
    expect(
      cert?.history.slice(1).every((h) => String(h.actorId) === String(ctx.regulator.user._id)),
    ).toBe(true);
    const audit = await AuditEvent.find({ tenantId: ctx.tenant._id, targetType: "certificate" })
      .sort({ at: 1 })
      .lean();
    expect(audit.map((a) => a.action)).toEqual([
      "certificate.issued",
      "certificate.suspended",
      "certificate.reinstated",
      "certificate.revoked",
    ]);
    expect(audit[3]?.details).toMatchObject({ reason: "瞒报生产安全事故" });
    const mails = await OutboxMessage.find({ tenantId: ctx.tenant._id }).lean();
    for (const template of [
      "certificate-suspended",
      "certificate-reinstated",
      "certificate-revoked",
    ]) {
      expect(
        mails
          .filter((m) => m.template === template)
          .map((m) => m.to)
          .sort(),
      ).toEqual([ctx.admin.user.email, second.user.email].sort());
    }
    expect(mails.find((m) => m.template === "certificate-revoked")?.data).toMatchObject({
      reason: "瞒报生产安全事故",
      number: ctx.certificate.number,
    });

    // The revocation blocks a new application for a year (tenant default).
    const block = await isBlockedFromApplying({
      tenantId: ctx.tenant._id,
      enterpriseId: ctx.enterprise._id,
      now,
    });
    expect(block.blocked).toBe(true);
    if (block.blocked) expect(block.until.getTime()).toBeGreaterThan(now.getTime() + 364 * DAY);
    expect(
      (
        await isBlockedFromApplying({
          tenantId: ctx.tenant._id,
          enterpriseId: ctx.enterprise._id,
          now: new Date(now.getTime() + 367 * DAY),
        })
      ).blocked,
    ).toBe(false);

    // The detail page shows it all.
    const page = await callLoader(
      detailLoader,
      `/t/${slug}/certificates/${id}`,
      { slug, id },
      { cookie: ctx.adminCookie },
    );
    expect(page.data).toMatchObject({
      certificate: { status: "revoked", revokedReason: "瞒报生产安全事故" },
      changes: [],
      renewal: null,
    });
  });
});

describe("lifecycle job", () => {
  it("sends one reminder per threshold and expires once, even with two runners at a time", async () => {
    const ctx = await withCertificate();
    const end = ctx.certificate.validUntil.getTime();
    const both = async (now: Date) =>
      Promise.all([runCertificateLifecycle({ now }), runCertificateLifecycle({ now })]);
    const reminders = async () =>
      OutboxMessage.find({
        tenantId: ctx.tenant._id,
        template: "certificate-expiry-reminder",
      }).lean();

    expect(await both(new Date(end - 120 * DAY))).toEqual([
      { expired: 0, reminders: 0 },
      { expired: 0, reminders: 0 },
    ]);
    await both(new Date(end - 89 * DAY));
    await both(new Date(end - 88 * DAY));
    expect((await reminders()).map((m) => m.data.daysBefore)).toEqual([90]);
    await both(new Date(end - 29 * DAY));
    await both(new Date(end - 10 * DAY));
    expect((await reminders()).map((m) => m.data.daysBefore).sort()).toEqual([30, 90]);

    const runs = await both(new Date(end + 60_000));
    expect(runs.reduce((n, r) => n + r.expired, 0)).toBe(1);
    await both(new Date(end + 2 * DAY));
    const cert = await getCertificate({ tenantId: ctx.tenant._id, id: ctx.certificate._id });
    expect(cert?.status).toBe("expired");
    expect(cert?.history.map((h) => h.action)).toEqual([
      "issued",
      "reminder",
      "reminder",
      "expired",
    ]);
    expect(
      await OutboxMessage.countDocuments({
        tenantId: ctx.tenant._id,
        template: "certificate-expired",
      }),
    ).toBe(1);
    expect(
      await AuditEvent.countDocuments({ tenantId: ctx.tenant._id, action: "certificate.expired" }),
    ).toBe(1);
  });

  it("uses the tenant's reminder days and sends one mail when several thresholds passed at once", async () => {
    const ctx = await withCertificate();
    await Tenant.updateOne(
      { _id: ctx.tenant._id },
      { $set: { "settings.certificateReminderDays": [60, 14, 7] } },
    );
    const end = ctx.certificate.validUntil.getTime();
    await runCertificateLifecycle({ now: new Date(end - 10 * DAY) });
    const mails = await OutboxMessage.find({
      tenantId: ctx.tenant._id,
      template: "certificate-expiry-reminder",
    }).lean();
    expect(mails.map((m) => m.data.daysBefore)).toEqual([14]);
    expect(
      (await getCertificate({ tenantId: ctx.tenant._id, id: ctx.certificate._id }))?.remindersSent,
    ).toEqual([60, 14]);
    await runCertificateLifecycle({ now: new Date(end - 6 * DAY) });
    expect(
      await OutboxMessage.countDocuments({
        tenantId: ctx.tenant._id,
        template: "certificate-expiry-reminder",
      }),
    ).toBe(2);
  });
});

describe("renewal", () => {
  it("opens a new application cycle from the certified one when the renewal window opens", async () => {
    const ctx = await withCertificate({ issuedAt: new Date("2026-03-02T02:00:00Z") });
    const actor = { id: ctx.admin.user._id, email: ctx.admin.user.email, role: "enterprise_admin" };
    const input = {
      tenantId: ctx.tenant._id,
      certificateId: String(ctx.certificate._id),
      enterpriseId: ctx.enterprise._id,
      actor,
    };
    expect(await startRenewal({ ...input, now: new Date("2028-10-01T02:00:00Z") })).toEqual({
      ok: false,
      error: "tooEarly",
    });
    const started = await startRenewal({ ...input, now: new Date("2028-12-15T02:00:00Z") });
    expect(started).toMatchObject({ ok: true, created: true });
    if (!started.ok) return;
    const renewal = await Assessment.findOne({
      tenantId: ctx.tenant._id,
      _id: started.applicationId,
    }).lean();
    expect(renewal).toMatchObject({
      cycle: "2028",
      state: "draft",
      previousAssessmentId: ctx.app._id,
    });
    // Idempotent: the certificate remembers its renewal.
    expect(await startRenewal({ ...input, now: new Date("2028-12-16T02:00:00Z") })).toEqual({
      ok: true,
      applicationId: started.applicationId,
      created: false,
    });
    expect(
      (await getCertificate({ tenantId: ctx.tenant._id, id: ctx.certificate._id }))?.history.map(
        (h) => h.action,
      ),
    ).toContain("renewalStarted");
  });
});

describe("lists and the public registry", () => {
  it("filters by name, credit code, level and status; enterprises see only their own; CSV has a BOM and the same filters", async () => {
    const ctx = await withCertificate();
    const other = await createEnterprise(ctx.tenant._id, {
      name: "成都蜀新化工材料股份有限公司",
      industry: "chemical",
      districtCode: "510105",
    });
    const otherApp = await certifiedApplication(ctx.tenant._id, other._id);
    const otherCert = await issued(ctx.tenant._id, otherApp._id);
    await revokeCertificate({
      tenantId: ctx.tenant._id,
      id: otherCert._id,
      reason: "发生较大事故",
      grounds: ["fatalAccident"],
      actor: { id: ctx.regulator.user._id, email: "r@x" },
    });
    const slug = ctx.tenant.slug;

    const all = await callLoader(
      listLoader,
      `/t/${slug}/certificates`,
      { slug },
      { cookie: ctx.regulatorCookie },
    );
    expect(all.data).toMatchObject({ total: 2, tenantWide: true });
    const own = await callLoader(
      listLoader,
      `/t/${slug}/certificates`,
      { slug },
      { cookie: ctx.adminCookie },
    );
    expect(own.data).toMatchObject({
      total: 1,
      tenantWide: false,
      items: [{ enterpriseName: ENTERPRISE }],
    });

    const reg = async (query: string) =>
      (await callLoader(registryLoader, `/t/${slug}/registry?${query}`, { slug })).data as {
        total: number;
        items: Array<Record<string, unknown>>;
      };
    expect((await reg("q=蜀新")).items.map((i) => i.enterpriseName)).toEqual([
      "成都蜀新化工材料股份有限公司",
    ]);
    expect((await reg("q=9144030019")).items.map((i) => i.creditCode)).toEqual([
      "914403001922038216",
    ]);
    expect((await reg("status=revoked")).total).toBe(1);
    expect((await reg("status=active")).items.map((i) => i.enterpriseName)).toEqual([ENTERPRISE]);
    expect((await reg("industry=chemical&district=510105")).total).toBe(1);
    expect((await reg("level=level3")).total).toBe(2);
    expect((await reg("level=level1")).total).toBe(0);
    // Public rows carry no ids or codes.
    expect(Object.keys((await reg("")).items[0] ?? {})).not.toContain("verifyCode");

    const csv = await registryCsvLoader({
      request: makeRequest(`/t/${slug}/registry.csv?status=active`),
      params: { slug },
      context: {},
    });
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("Content-Disposition")).toMatch(/^attachment; /);
    const raw = Buffer.from(await csv.arrayBuffer());
    // UTF-8 byte-order mark first, so spreadsheet programs read the Chinese text.
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = raw.subarray(3).toString("utf8").trim().split("\r\n");
    expect(lines[0]).toBe(
      "证书编号,企业名称,统一社会信用代码,等级,行业,所属区（市）县,发证日期,有效期至,状态,撤销日期,撤销情形",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(ENTERPRISE);
    expect(lines[1]).toContain("有效");
    const everything = await registryCsv({ tenantId: ctx.tenant._id, filters: {}, locale: "en" });
    expect(everything.split("\r\n")[0]).toContain("Certificate No.");
    expect(everything).toContain("Revoked");
  });
});
