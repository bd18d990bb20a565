/**
 * Revocation (撤销) on stated grounds (issue 16, item 2): every ground revokes and is published
 * with the date (verification page, JSON API, registry, CSV) and emailed; the regulator's form
 * needs grounds, facts and a confirmation; the enterprise is barred from applying for
 * `settings.reapplyAfterRevocationMonths` and the refusal states the date it may reapply; the
 * credit-list effect defaults to revoke while suspension stays a tenant option.
 */
import { describe, expect, it } from "vitest";
import { Certificate } from "../../models/certificate";
import { OutboxMessage } from "../../models/outbox-message";
import {
  getCertificate,
  isBlockedFromApplying,
  listCertificates,
  registryCsv,
  revokeCertificate,
  suspendCertificate,
  verifyCertificate,
} from "~/data/certificates.server";
import { creditSettings } from "~/data/credit-records.server";
import { addMonths, startOfShanghaiDay } from "~/lib/certificate";
import { REVOCATION_GROUND_KEYS, revocationGround } from "~/lib/revocation-grounds";
import { loader as apiLoader } from "~/routes/api.public.certificates.$code";
import { loader as startLoader, action as startAction } from "~/routes/t.$slug.assessments._index";
import { action as detailAction, loader as detailLoader } from "~/routes/t.$slug.certificates.$id";
import { loader as registryLoader } from "~/routes/t.$slug.registry";
import { loader as verifyPageLoader } from "~/routes/verify.$code";
import { shanghaiDate } from "~/workflows/working-days";
import { certifiedApplication, certificateWorld, issueFor } from "../certificate-fixtures";
import { createEnterprise, createMember } from "../factories";
import { callAction, callLoader, type FormFields } from "../route-helpers";

const DAY = 86_400_000;

describe("revocation on stated grounds", () => {
  it("every ground revokes the certificate, is published with the date and emailed, and bars reapplying", async () => {
    const w = await certificateWorld();
    const now = new Date();
    for (const ground of REVOCATION_GROUND_KEYS) {
      const enterprise = await createEnterprise(w.tenant._id);
      const admin = await createMember(w.tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
      const cert = await issueFor(w.tenant._id, (await certifiedApplication(w.tenant._id, enterprise._id))._id);
      const facts = `认定事实：${ground}`;
      const result = await revokeCertificate({
        tenantId: w.tenant._id,
        id: cert._id,
        reason: facts,
        grounds: [ground],
        actor: w.actor,
        now,
      });
      expect(result.ok, ground).toBe(true);

      const stored = await getCertificate({ tenantId: w.tenant._id, id: cert._id });
      expect(stored).toMatchObject({ status: "revoked", revokedGrounds: [ground], revokedReason: facts });
      expect(stored?.history.at(-1)).toMatchObject({ action: "revoked", details: { grounds: [ground] } });

      const published = await verifyCertificate({ code: cert.verifyCode, now });
      expect(published).toMatchObject({ state: "REVOKED", grounds: [ground], reason: facts });
      expect(published?.revokedAt).toBe(now.toISOString());

      const mail = await OutboxMessage.findOne({
        tenantId: w.tenant._id,
        template: "certificate-revoked",
        to: admin.user.email,
      }).lean();
      expect(mail?.data).toMatchObject({ grounds: [ground], reason: facts });

      const bar = await isBlockedFromApplying({ tenantId: w.tenant._id, enterpriseId: enterprise._id, now });
      expect(bar).toMatchObject({ blocked: true, grounds: [ground], number: cert.number });
    }

    // The public page, the JSON API, the registry and its CSV show the grounds (zh and en) and the date.
    const one = await Certificate.findOne({ tenantId: w.tenant._id, revokedGrounds: "fatalAccident" }).lean();
    const code = one?.verifyCode ?? "";
    const page = await callLoader(verifyPageLoader, `/verify/${code}`, { code });
    expect(page.data).toMatchObject({
      kind: "found",
      certificate: { state: "REVOKED", grounds: ["fatalAccident"] },
    });
    const api = await callLoader(apiLoader, `/api/public/certificates/${code}`, { code });
    expect(api.data).toMatchObject({
      state: "REVOKED",
      stateText: "证书已撤销",
      grounds: [{ key: "fatalAccident", text: "发生生产安全死亡事故", basis: revocationGround("fatalAccident").basis.zh }],
      pdfUrl: null,
    });
    const slug = w.tenant.slug;
    const registry = await callLoader(registryLoader, `/t/${slug}/registry?status=revoked`, { slug });
    const items = (registry.data as { items: Array<{ revokedAt: string | null; revokedGrounds: string[] }> }).items;
    expect(items).toHaveLength(REVOCATION_GROUND_KEYS.length);
    expect(items.every((i) => i.revokedAt === now.toISOString() && i.revokedGrounds.length === 1)).toBe(true);
    const csv = await registryCsv({ tenantId: w.tenant._id, filters: { status: "revoked" }, locale: "en" });
    expect(csv).toContain("A work-safety accident with a death");
    expect(csv.split("\r\n")[0]).toContain("Grounds");
    const list = await listCertificates({ tenantId: w.tenant._id, filters: { status: "active" } });
    expect(list.items.map((i) => i.id)).toEqual([String(w.certificate._id)]);
  });

  it("refuses a revocation without a ground, nothing changed", async () => {
    const w = await certificateWorld();
    const result = await revokeCertificate({
      tenantId: w.tenant._id,
      id: w.certificate._id,
      reason: "事实",
      grounds: [],
      actor: w.actor,
    });
    expect(result).toEqual({ ok: false, error: "groundsRequired" });
    expect((await getCertificate({ tenantId: w.tenant._id, id: w.certificate._id }))?.status).toBe("active");
  });
});

describe("the regulator's revocation form", () => {
  const post = (slug: string, id: string, cookie: string, form: FormFields) =>
    callAction(detailAction, `/t/${slug}/certificates/${id}`, { slug, id }, { cookie, form });

  it("states the consequences, needs grounds, facts and the confirmation, and then revokes on several grounds", async () => {
    const w = await certificateWorld({ settings: { reapplyAfterRevocationMonths: 18 } });
    const slug = w.tenant.slug;
    const id = String(w.certificate._id);
    const before = new Date();
    const page = await callLoader(detailLoader, `/t/${slug}/certificates/${id}`, { slug, id }, { cookie: w.regulatorCookie });
    const preview = (page.data as { revocation: { months: number; reapplyFrom: string } }).revocation;
    expect(preview.months).toBe(18);
    expect(shanghaiDate(new Date(preview.reapplyFrom))).toBe(shanghaiDate(addMonths(before, 18)));

    const cases: Array<[FormFields, Record<string, string>]> = [
      [{ reason: "事实", confirm: "on" }, { grounds: "revocation.errors.groundsRequired" }],
      [{ grounds: ["fatalAccident"], reason: "  ", confirm: "on" }, { reason: "errors.reasonRequired" }],
      [{ grounds: ["fatalAccident"], reason: "事实" }, { confirm: "revocation.errors.confirmRequired" }],
      [{ grounds: ["notAGround"], reason: "事实", confirm: "on" }, { grounds: "revocation.errors.groundsRequired" }],
    ];
    for (const [fields, errors] of cases) {
      const res = await post(slug, id, w.regulatorCookie, { intent: "revoke", version: "0", ...fields });
      expect(res.status).toBe(400);
      expect(res.data).toMatchObject({ ok: false, errors });
    }
    expect((await getCertificate({ tenantId: w.tenant._id, id }))?.status).toBe("active");
    // An enterprise admin cannot revoke.
    expect(
      (await post(slug, id, w.adminCookie, { intent: "revoke", version: "0", grounds: ["fatalAccident"], reason: "x", confirm: "on" }))
        .status,
    ).toBe(403);

    const res = await post(slug, id, w.regulatorCookie, {
      intent: "revoke",
      version: "0",
      grounds: ["systemNotRunning", "fatalAccident"],
      reason: "2026年5月1日发生一起死亡事故，且未报送年度自评报告",
      confirm: "on",
    });
    expect(res.data).toMatchObject({ ok: true, notice: "certificate.notice.revoked" });
    const cert = await getCertificate({ tenantId: w.tenant._id, id });
    expect(cert?.revokedGrounds).toEqual(["fatalAccident", "systemNotRunning"]);
    const after = await callLoader(detailLoader, `/t/${slug}/certificates/${id}`, { slug, id }, { cookie: w.adminCookie });
    expect(after.data).toMatchObject({
      certificate: { status: "revoked", revokedGrounds: ["fatalAccident", "systemNotRunning"] },
      changes: [],
      revocation: null,
    });
  });
});

describe("the bar on applying after a revocation", () => {
  it("lasts settings.reapplyAfterRevocationMonths to the start of that day; a new application is refused with the date", async () => {
    const w = await certificateWorld({ settings: { reapplyAfterRevocationMonths: 6 } });
    const now = new Date();
    await revokeCertificate({
      tenantId: w.tenant._id,
      id: w.certificate._id,
      reason: "弄虚作假",
      grounds: ["applicationFraud"],
      actor: w.actor,
      now,
    });
    const expected = startOfShanghaiDay(addMonths(now, 6));
    const bar = await isBlockedFromApplying({ tenantId: w.tenant._id, enterpriseId: w.enterprise._id, now });
    expect(bar.blocked && bar.until.toISOString()).toBe(expected.toISOString());
    expect((await isBlockedFromApplying({ tenantId: w.tenant._id, enterpriseId: w.enterprise._id, now: expected })).blocked).toBe(false);
    expect(
      (await isBlockedFromApplying({ tenantId: w.tenant._id, enterpriseId: w.enterprise._id, now: new Date(expected.getTime() - 1) })).blocked,
    ).toBe(true);

    // Starting a new application: refused (409) with the certificate and the date it may reapply.
    const slug = w.tenant.slug;
    const start = await callLoader(startLoader, `/t/${slug}/assessments`, { slug }, { cookie: w.adminCookie });
    const rubricVersionId = (start.data as { start: { rubrics: Array<{ id: string }> } }).start.rubrics[0]?.id ?? "";
    const refused = await callAction(startAction, `/t/${slug}/assessments`, { slug }, {
      cookie: w.adminCookie,
      form: { intent: "start", cycle: "2027", rubricVersionId },
    });
    expect(refused.status).toBe(409);
    const message = (refused.data as { errors: { _form: string } }).errors._form;
    expect(message).toBe(
      `certificate.errors.blockedFromApplying?number=${encodeURIComponent(w.certificate.number).replace(/%20/g, "+")}&date=${shanghaiDate(expected)}`,
    );
  });

  it("a tenant may set no bar (0 months); suspension stays available", async () => {
    const w = await certificateWorld({ settings: { reapplyAfterRevocationMonths: 0 } });
    expect((await suspendCertificate({ tenantId: w.tenant._id, id: w.certificate._id, reason: "停产整顿", actor: w.actor })).ok).toBe(true);
    const revoked = await revokeCertificate({
      tenantId: w.tenant._id,
      id: w.certificate._id,
      reason: "重大事故隐患逾期未整改",
      grounds: ["majorHazardUnfixed"],
      actor: w.actor,
    });
    expect(revoked.ok && revoked.certificate.blockedUntil).toBeNull();
    expect((await isBlockedFromApplying({ tenantId: w.tenant._id, enterpriseId: w.enterprise._id })).blocked).toBe(false);
  });

  it("falls back to the older revocationBlockMonths setting, then to 12 months", async () => {
    const w = await certificateWorld({ settings: { revocationBlockMonths: 3 } });
    const now = new Date();
    const r = await revokeCertificate({ tenantId: w.tenant._id, id: w.certificate._id, reason: "x", grounds: ["licenceLost"], actor: w.actor, now });
    expect(r.ok && r.certificate.blockedUntil?.toISOString()).toBe(startOfShanghaiDay(addMonths(now, 3)).toISOString());
    const d = await certificateWorld();
    const r2 = await revokeCertificate({ tenantId: d.tenant._id, id: d.certificate._id, reason: "x", grounds: ["licenceLost"], actor: d.actor, now });
    expect(r2.ok && r2.certificate.blockedUntil && r2.certificate.blockedUntil.getTime() - now.getTime()).toBeGreaterThan(364 * DAY);
  });
});

describe("credit-list effect", () => {
  it("defaults to revoke; a tenant may choose suspension", () => {
    expect(creditSettings(undefined).certificateEffect).toBe("revoke");
    expect(creditSettings({ credit: {} }).certificateEffect).toBe("revoke");
    expect(creditSettings({ credit: { certificateEffect: "suspend" } }).certificateEffect).toBe("suspend");
  });
});
