/**
 * Fast-track renewal (复评/延期, issue 16 item 4) on the real database: a certified enterprise starts
 * its renewal inside the window and submits at the same level; the regulator confirms eligibility
 * (→ public notice → new certificate valid from its announcement, the old one linked) or sends it
 * down the full path with a reason (mailed over real SMTP); ineligible renewals are refused with
 * their reasons and nothing changes; only the tenant's regulator may decide.
 */
import type { ParsedMail } from "mailparser";
import { Types } from "mongoose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import { Tenant } from "../../models/tenant";
import { YearlyReport } from "../../models/yearly-report";
import { getAssessment, saveAnswers } from "~/data/assessments.server";
import { getCertificate, startRenewal } from "~/data/certificates.server";
import { applyApplicationEvent } from "~/data/grading.server";
import { createMailTransport, type MailTransport } from "~/data/mail-transport.server";
import { runOutboxWorker } from "~/data/outbox-worker.server";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import { validUntilFor } from "~/lib/certificate";
import { startSmtpSink, type SmtpSink } from "../../scripts/lib/smtp-sink";
import { issueFor } from "../certificate-fixtures";
import { createCreditRecord } from "../credit-fixtures";
import { action as applicationAction, loader as applicationLoader } from "~/routes/t.$slug.applications.$id";
import { loader as certificateLoader } from "~/routes/t.$slug.certificates.$id";
import { cookieFor, createMember, createTenant } from "../factories";
import { callAction, callLoader } from "../route-helpers";
import {
  days,
  expectOk,
  gradingSetup,
  memberOf,
  readyApplication,
  reload,
  send,
  T0,
  type GradingSetup,
} from "../grading-fixtures";

/** Issued 2023-06-01 (China): valid until 2026-05-31; the 3-month window opens 2026-02-28. */
const ISSUED = new Date("2023-06-01T02:00:00.000Z");
const LEVEL = "qualified";

let sink: SmtpSink;
let transport: MailTransport;
beforeAll(async () => {
  sink = await startSmtpSink();
  transport = createMailTransport({ kind: "smtp", url: sink.url });
});
afterAll(async () => {
  transport.close();
  await sink.stop();
});
beforeEach(async () => {
  sink.raw.length = 0;
  sink.setMode("accept");
  expect((await importRubricFiles()).errors).toEqual([]);
});

async function deliver(now: Date): Promise<ParsedMail[]> {
  for (let i = 0; i < 10; i += 1) {
    const run = await runOutboxWorker({ now, transport, batchSize: 50, backoffMs: 1000 });
    if (run.claimed === 0) break;
  }
  return sink.parsed();
}
const templateOf = (m: ParsedMail) => String(m.headers.get("x-safegrade-template") ?? "");
const toOf = (m: ParsedMail) =>
  Array.isArray(m.to) ? m.to.map((a) => a.text).join(",") : (m.to?.text ?? "");

/** Answers every item "meets" with evidence, as readyApplication does, on an existing draft. */
async function answerAll(s: GradingSetup, id: Types.ObjectId): Promise<void> {
  const actor = { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" as const };
  const doc = await reload(s, id);
  const loaded = await getRubricVersion({ tenantId: s.tenant._id, id: doc.rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  const items = rubricItems(loaded.rubric);
  const saved = await saveAnswers({
    tenantId: s.tenant._id,
    id,
    expectedVersion: doc.version,
    actor,
    changes: items.map((item) => ({ itemId: item.id, answer: { choice: "full" } })),
  });
  if (!saved.ok) throw new Error(`save failed: ${saved.error}`);
  const evidence = items
    .filter((item) => item.evidenceRequired)
    .map((item) => ({
      fileId: new Types.ObjectId(),
      itemId: item.id,
      filename: `${item.id}.pdf`,
      contentType: "application/pdf",
      size: 100,
      uploadedBy: s.admin.user._id,
      uploadedAt: T0,
    }));
  await Assessment.updateOne({ tenantId: s.tenant._id, _id: id }, { $set: { evidence } });
}

/** A certified micro enterprise with its yearly reports; its renewal started and answered at T0. */
async function renewalWorld({ reports = [1, 2] }: { reports?: number[] } = {}) {
  const s = await gradingSetup();
  const old = await readyApplication(s, "2023");
  await Assessment.updateOne(
    { tenantId: s.tenant._id, _id: old._id },
    {
      $set: {
        state: "certified",
        appliedLevel: LEVEL,
        pendingCertificate: {
          level: LEVEL,
          appliedLevel: LEVEL,
          lowerLevel: false,
          issuedAt: ISSUED,
          certifiedBy: null,
          version: old.version,
        },
      },
    },
  );
  const certificate = await issueFor(s.tenant._id, old._id, ISSUED);
  for (const year of reports) {
    await YearlyReport.create({
      tenantId: s.tenant._id,
      enterpriseId: s.enterprise._id,
      certificateId: certificate._id,
      applicationId: old._id,
      year,
      periodStart: new Date(Date.UTC(2022 + year, 5, 1)),
      periodEnd: new Date(Date.UTC(2023 + year, 5, 1)),
      dueAt: new Date(Date.UTC(2023 + year, 6, 1)),
      enterpriseName: "renewal test",
      certificateNumber: certificate.number,
      level: LEVEL,
      submittedAt: new Date(Date.UTC(2023 + year, 5, 20)),
      score: 90,
    });
  }
  const started = await startRenewal({
    tenantId: s.tenant._id,
    certificateId: String(certificate._id),
    enterpriseId: s.enterprise._id,
    actor: { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" },
    now: T0,
  });
  if (!started.ok) throw new Error(`renewal not started: ${started.error}`);
  const id = new Types.ObjectId(started.applicationId);
  await answerAll(s, id);
  return { s, certificate, id };
}

/** Submitted at the certified level: waiting for the renewal check. */
async function inRenewalCheck(options: { reports?: number[] } = {}) {
  const world = await renewalWorld(options);
  const { s, id } = world;
  const submitted = await expectOk(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: LEVEL }, T0));
  expect(submitted.state).toBe("renewalCheck");
  return world;
}

describe("fast-track renewal", () => {
  it("startRenewal flags the application as the certificate's renewal", async () => {
    const { s, certificate, id } = await renewalWorld();
    const doc = await reload(s, id);
    expect(doc.renewalOf?.equals(certificate._id)).toBe(true);
    expect(doc.state).toBe("draft");
  });

  it("eligible → confirmed → public notice → new certificate valid from its announcement, old one linked", async () => {
    const { s, certificate, id } = await inRenewalCheck();
    const confirmed = await expectOk(await send(s, id, s.m.regulator, { type: "CONFIRM_FAST_TRACK" }, days(1)));
    expect(confirmed.state).toBe("publicNotice.running");
    expect(confirmed.effects).toContainEqual(
      expect.objectContaining({ type: "email", template: "renewal-fast-tracked" }),
    );
    const noticed = await reload(s, id);
    const endsAt = noticed.deadlines?.noticeEndsAt;
    if (!endsAt) throw new Error("no notice end");
    // Same notice period as the full path: 5 working days from Tuesday 2026-03-03.
    expect(endsAt.toISOString()).toBe(new Date("2026-03-10T23:59:59.999+08:00").toISOString());

    const ended = await applyApplicationEvent({
      tenantId: s.tenant._id,
      applicationId: id,
      event: { type: "NOTICE_ENDED" },
      actor: { kind: "system" },
      now: new Date(endsAt.getTime() + 1),
    });
    expect(ended.ok && ended.state).toBe("publicNotice.ended");
    const announced = new Date("2026-03-12T03:00:00.000Z");
    const certified = await expectOk(await send(s, id, s.m.regulator, { type: "CERTIFY" }, announced));
    expect(certified.state).toBe("certified");

    const renewed = await Certificate.findOne({ tenantId: s.tenant._id, applicationId: id }).lean();
    if (!renewed) throw new Error("no new certificate");
    expect(renewed.level).toBe(certificate.level);
    expect(renewed.issuedAt.toISOString()).toBe(announced.toISOString());
    expect(renewed.validUntil.toISOString()).toBe(validUntilFor(announced, 3).toISOString());
    expect(renewed.renewalOfCertificateId?.equals(certificate._id)).toBe(true);
    expect(renewed.number).not.toBe(certificate.number);

    const old = await getCertificate({ tenantId: s.tenant._id, id: certificate._id });
    expect(old?.renewedByCertificateId?.equals(renewed._id)).toBe(true);
    expect(old?.status).toBe("active");
    expect(old?.history.at(-1)).toMatchObject({
      action: "renewed",
      details: { certificateId: String(renewed._id), number: renewed.number },
    });
    // The certificate pages link the two.
    const cookie = await cookieFor(s.admin.user._id);
    const oldPage = await callLoader(certificateLoader, `/t/${s.tenant.slug}/certificates/${String(certificate._id)}`, { slug: s.tenant.slug, id: String(certificate._id) }, { cookie });
    expect((oldPage.data as { renewalLinks: unknown }).renewalLinks).toEqual({
      renewalOf: null,
      renewedBy: { id: String(renewed._id), number: renewed.number },
    });
    const newPage = await callLoader(certificateLoader, `/t/${s.tenant.slug}/certificates/${String(renewed._id)}`, { slug: s.tenant.slug, id: String(renewed._id) }, { cookie });
    expect((newPage.data as { renewalLinks: unknown }).renewalLinks).toEqual({
      renewalOf: { id: String(certificate._id), number: certificate.number },
      renewedBy: null,
    });
    const history = (await reload(s, id)).history.map((h) => h.event);
    expect(history).toEqual(["started", "SUBMIT", "CONFIRM_FAST_TRACK", "NOTICE_ENDED", "CERTIFY"]);
  });

  it.each([
    ["a missing yearly report", "renewal-yearly-reports-missing"],
    ["a credit record", "renewal-credit-listed"],
    ["a score below the band", "renewal-score-below-band"],
  ])("refuses CONFIRM_FAST_TRACK with %s: 409, the reason, nothing changed", async (name, reason) => {
    const { s, id } = await inRenewalCheck(name === "a missing yearly report" ? { reports: [1] } : {});
    if (name === "a credit record") {
      await createCreditRecord(s.tenant._id, { creditCode: s.enterprise.creditCode, subjectName: s.enterprise.name });
    }
    if (name === "a score below the band") {
      // The self-assessment as stored now (scored again on CONFIRM): every answer "not met".
      const doc = await reload(s, id);
      await Assessment.updateOne(
        { tenantId: s.tenant._id, _id: id },
        { $set: { answers: doc.answers.map((a) => ({ ...a, choice: "none" })) } },
      );
    }
    const before = await reload(s, id);
    const result = await send(s, id, s.m.regulator, { type: "CONFIRM_FAST_TRACK" }, days(1));
    expect(result).toMatchObject({ ok: false, status: 409, error: "blocked", reasons: [reason] });
    expect(!result.ok && "messages" in result && result.messages).toEqual([`workflow.block.${reason}`]);
    const after = await reload(s, id);
    expect(after.version).toBe(before.version);
    expect(after.state).toBe("renewalCheck");
    expect(after.history).toHaveLength(before.history.length);
  });

  it("sends a renewal down the full path with a required reason, mailed to the enterprise; acceptance follows", async () => {
    const { s, id } = await inRenewalCheck({ reports: [1] });
    const empty = await send(s, id, s.m.regulator, { type: "SEND_FULL_PATH", reason: "  " }, days(1));
    expect(empty).toMatchObject({ ok: false, status: 400, error: "invalid" });
    expect(!empty.ok && "fieldErrors" in empty && empty.fieldErrors.reason).toBeTruthy();
    expect((await reload(s, id)).state).toBe("renewalCheck");

    const reason = "第 2 年度自评报告未提交，按完整程序办理";
    const sent = await expectOk(await send(s, id, s.m.regulator, { type: "SEND_FULL_PATH", reason }, days(1)));
    expect(sent.state).toBe("submitted");
    const doc = await reload(s, id);
    expect(doc.history.at(-1)).toMatchObject({ event: "SEND_FULL_PATH", reason, from: "renewalCheck", to: "submitted" });
    expect(doc.deadlines?.acceptBy?.toISOString()).toBe(new Date("2026-03-10T23:59:59.999+08:00").toISOString());

    // No fast track any more; the normal acceptance works.
    const again = await send(s, id, s.m.regulator, { type: "CONFIRM_FAST_TRACK" }, days(2));
    expect(again).toMatchObject({ ok: false, status: 409, reasons: ["invalid-in-state"] });
    expect((await expectOk(await send(s, id, s.m.regulator, { type: "ACCEPT" }, days(2)))).state).toBe("accepted");

    const mails = await deliver(days(2));
    const fullPath = mails.filter((m) => templateOf(m) === "renewal-full-path");
    expect(fullPath.map(toOf)).toEqual([s.admin.user.email]);
    expect(fullPath[0]?.subject).toMatch(/复评申请转入完整定级程序/);
    expect(fullPath[0]?.text).toContain(reason);
    expect(mails.filter((m) => templateOf(m) === "application-accepted").map(toOf)).toEqual([s.admin.user.email]);
  });

  it("the confirmation mail reaches the enterprise over SMTP with the notice end", async () => {
    const { s, id } = await inRenewalCheck();
    await expectOk(await send(s, id, s.m.regulator, { type: "CONFIRM_FAST_TRACK" }, days(1)));
    const mails = await deliver(days(1));
    const confirmed = mails.filter((m) => templateOf(m) === "renewal-fast-tracked");
    expect(confirmed.map(toOf)).toEqual([s.admin.user.email]);
    expect(confirmed[0]?.text).toContain("2026-03-10");
  });

  it("only the tenant's regulator decides: the enterprise, a reviewer and another tenant are refused", async () => {
    const { s, id } = await inRenewalCheck();
    expect(await send(s, id, s.m.admin, { type: "CONFIRM_FAST_TRACK" }, days(1))).toMatchObject({ ok: false, status: 403 });
    expect(await send(s, id, s.m.lead, { type: "SEND_FULL_PATH", reason: "x" }, days(1))).toMatchObject({
      ok: false,
      status: 404,
    });
    const other = await createTenant();
    const foreign = await createMember(other._id, "regulator");
    const stranger = memberOf(other._id, foreign.user, "regulator");
    const result = await applyApplicationEvent({
      tenantId: other._id,
      applicationId: id,
      event: { type: "CONFIRM_FAST_TRACK" },
      actor: { kind: "member", member: stranger },
      now: days(1),
    });
    expect(result).toMatchObject({ ok: false, status: 404 });
    // A member of another tenant presenting this tenant's id is refused too.
    const crossed = await applyApplicationEvent({
      tenantId: s.tenant._id,
      applicationId: id,
      event: { type: "CONFIRM_FAST_TRACK" },
      actor: { kind: "member", member: stranger },
      now: days(1),
    });
    expect(crossed).toMatchObject({ ok: false, status: 404 });
    expect((await getAssessment({ tenantId: s.tenant._id, id }))?.state).toBe("renewalCheck");
  });

  it("an ordinary application cannot take the fast track", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    await expectOk(await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: LEVEL }, T0));
    expect(await send(s, app._id, s.m.regulator, { type: "CONFIRM_FAST_TRACK" }, days(1))).toMatchObject({
      ok: false,
      status: 409,
      reasons: ["invalid-in-state"],
    });
  });

  it("reads renewalWindowMonths, falling back to the stored certificateRenewalMonths", async () => {
    const { s, certificate } = await renewalWorld();
    const { certificateSettings } = await import("~/data/certificates/settings.server");
    const tenant = await Tenant.findOne({ _id: s.tenant._id }).lean();
    expect(certificateSettings(tenant?.settings).renewalMonths).toBe(3);
    expect(certificateSettings({ ...tenant?.settings, certificateRenewalMonths: 4 }).renewalMonths).toBe(4);
    expect(
      certificateSettings({ ...tenant?.settings, certificateRenewalMonths: 4, renewalWindowMonths: 2 }).renewalMonths,
    ).toBe(2);
    // A 1-month window is not open on 2026-03-02 for a certificate ending 2026-05-31.
    await Tenant.updateOne({ _id: s.tenant._id }, { $set: { "settings.renewalWindowMonths": 1 } });
    await Certificate.updateOne({ tenantId: s.tenant._id, _id: certificate._id }, { $set: { renewalApplicationId: null } });
    const early = await startRenewal({
      tenantId: s.tenant._id,
      certificateId: String(certificate._id),
      enterpriseId: s.enterprise._id,
      actor: { id: s.admin.user._id, email: s.admin.user.email },
      now: T0,
    });
    expect(early).toEqual({ ok: false, error: "tooEarly" });
  });

  it("the application page shows the regulator each criterion and the enterprise the outcome with its reason", async () => {
    const { s, id } = await inRenewalCheck({ reports: [1] });
    const url = `/t/${s.tenant.slug}/applications/${String(id)}`;
    const params = { slug: s.tenant.slug, id: String(id) };
    const regulator = await cookieFor(s.regulator.user._id);
    const admin = await cookieFor(s.admin.user._id);

    type Page = {
      renewal: {
        decision: string;
        fullPathReason: string | null;
        eligible: boolean | null;
        criteria: Array<{ key: string; met: boolean; detail: { key: string; params: Record<string, unknown> } | null }> | null;
      } | null;
      page: { actions: Array<{ type: string; blocked: string[] }> };
    };
    const seen = (await callLoader(applicationLoader, url, params, { cookie: regulator })).data as Page;
    expect(seen.renewal?.decision).toBe("pending");
    expect(seen.renewal?.criteria?.map((c) => c.key)).toEqual([
      "window",
      "certificate",
      "yearlyReports",
      "revocation",
      "creditRecord",
      "score",
    ]);
    const byKey = new Map(seen.renewal?.criteria?.map((c) => [c.key, c]));
    expect(byKey.get("yearlyReports")).toMatchObject({
      met: false,
      detail: { key: "renewal.criterion.yearlyReportsMissing", params: { years: "2" } },
    });
    expect(byKey.get("creditRecord")?.met).toBe(true);
    expect(byKey.get("score")?.met).toBe(true);
    expect(seen.renewal?.eligible).toBe(false);
    // Both actions offered; the confirmation shows why it is refused.
    const types = seen.page.actions.map((a) => a.type);
    expect(types).toEqual(expect.arrayContaining(["CONFIRM_FAST_TRACK", "SEND_FULL_PATH"]));
    expect(seen.page.actions.find((a) => a.type === "CONFIRM_FAST_TRACK")?.blocked).toContain(
      "renewal-yearly-reports-missing",
    );

    // The enterprise sees that it asked for the fast track, not the regulator's checklist.
    const own = (await callLoader(applicationLoader, url, params, { cookie: admin })).data as Page;
    expect(own.renewal).toMatchObject({ decision: "pending", criteria: null });

    // Through the page's form: refused with the reasons (409), then sent down the full path.
    const refused = await callAction(applicationAction, url, params, { cookie: regulator, form: { intent: "CONFIRM_FAST_TRACK" } });
    expect(refused.status).toBe(409);
    expect((refused.data as { reasons: string[] }).reasons).toContain("renewal-yearly-reports-missing");
    const noReason = await callAction(applicationAction, url, params, { cookie: regulator, form: { intent: "SEND_FULL_PATH", reason: "" } });
    expect(noReason.status).toBe(400);
    expect((noReason.data as { errors: Record<string, string> }).errors.reason).toBeTruthy();
    const reason = "年度报告缺失";
    const sent = await callAction(applicationAction, url, params, { cookie: regulator, form: { intent: "SEND_FULL_PATH", reason } });
    expect(sent.status).toBe(200);
    const after = (await callLoader(applicationLoader, url, params, { cookie: admin })).data as Page;
    expect(after.renewal).toMatchObject({ decision: "fullPath", fullPathReason: reason });
    // The enterprise cannot decide for itself.
    const forbidden = await callAction(applicationAction, url, params, { cookie: admin, form: { intent: "ACCEPT" } });
    expect(forbidden.status).toBe(403);
  });

  it("the certificate page's renewal card explains the fast track", async () => {
    const { s, certificate } = await renewalWorld();
    const url = `/t/${s.tenant.slug}/certificates/${String(certificate._id)}`;
    const result = await callLoader(certificateLoader, url, { slug: s.tenant.slug, id: String(certificate._id) }, {
      cookie: await cookieFor(s.admin.user._id),
    });
    expect((result.data as { renewal: { months: number; applicationId: string | null } }).renewal).toMatchObject({
      months: 3,
    });
  });
});
