/**
 * Email delivery end to end: every message produced by its real trigger (route actions and data
 * functions), delivered by the outbox worker over real SMTP (smtp-server) and parsed (mailparser);
 * retries when the server is down, no retry after a 550, two workers never send one message
 * twice, a SIGKILLed worker process loses nothing, and production refuses to start without SMTP.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import type { ParsedMail } from "mailparser";
import { type Types } from "mongoose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { OutboxMessage, outboxMessageId } from "../../models/outbox-message";
import { Registration } from "../../models/registration";
import { Session } from "../../models/session";
import { User } from "../../models/user";
import { getAssessment } from "~/data/assessments.server";
import {
  getCertificateForApplication,
  revokeCertificate,
  runCertificateLifecycle,
  suspendCertificate,
} from "~/data/certificates.server";
import {
  answerRectificationItem,
  applyApplicationEvent,
  decideRectificationItem,
  runGradingDeadlines,
  submitObjection,
  type GradingMember,
} from "~/data/grading.server";
import { applyCreditRecordEvent, createCreditDraft } from "~/data/credit-records.server";
import { createMailTransport, type MailTransport } from "~/data/mail-transport.server";
import { runOutboxWorker, type OutboxWorkerOptions } from "~/data/outbox-worker.server";
import { enqueueEmail } from "~/data/outbox.server";
import { saveReviewSheet } from "~/data/grading/review-sheet.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { parseEnv } from "~/env.server";
import { action as usersAction } from "~/routes/t.$slug.admin.users";
import { action as forgotAction } from "~/routes/t.$slug.forgot-password";
import { action as loginAction } from "~/routes/t.$slug.login";
import { action as registerAction } from "~/routes/t.$slug.register";
import { action as decideAction } from "~/routes/t.$slug.registrations";
import { action as resetAction, loader as resetLoader } from "~/routes/t.$slug.reset-password.$token";
import { startSmtpSink, type SmtpSink } from "../../scripts/lib/smtp-sink";
import { cookieFor, createEnterprise, createMember, createTenant, formPanel, randomCreditCode } from "../factories";
import { callAction, callLoader } from "../route-helpers";
import { completeReviewSheet } from "../review-sheet";
import { REPAIR_TICKED } from "../credit-fixtures";
import { days, memberOf, readyApplication, T0 } from "../grading-fixtures";

const APP = "http://localhost:3000";
const DAY = 24 * 60 * 60 * 1000;

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
beforeEach(() => {
  sink.raw.length = 0;
  sink.setMode("accept");
});

/** Runs the worker until nothing is due at `now`; returns the mails that arrived since the last call. */
let seen = 0;
async function deliver(now: Date, options: OutboxWorkerOptions = {}): Promise<ParsedMail[]> {
  for (let i = 0; i < 10; i += 1) {
    const run = await runOutboxWorker({ now, transport, batchSize: 50, backoffMs: 1000, ...options });
    if (run.claimed === 0) break;
  }
  const all = await sink.parsed();
  const fresh = all.slice(Math.min(seen, all.length));
  seen = all.length;
  return fresh;
}
beforeEach(() => {
  seen = 0;
});

const toOf = (m: ParsedMail) => (Array.isArray(m.to) ? m.to.map((a) => a.text).join(",") : (m.to?.text ?? ""));
const langOf = (m: ParsedMail) => String(m.headers.get("content-language") ?? "");
const templateOf = (m: ParsedMail) => String(m.headers.get("x-safegrade-template") ?? "");

function only(mails: ParsedMail[], template: string, to?: string): ParsedMail {
  const found = mails.filter((m) => templateOf(m) === template && (!to || toOf(m) === to));
  expect(found.map((m) => `${templateOf(m)}→${toOf(m)}`), `${template} → ${to ?? "*"}`).toHaveLength(1);
  return found[0] as ParsedMail;
}

function expectMail(mail: ParsedMail, expected: { subject: RegExp; lang: "zh-CN" | "en"; link: string }) {
  expect(mail.subject).toMatch(expected.subject);
  expect(langOf(mail)).toBe(expected.lang);
  expect(mail.text).toContain(expected.link);
  expect(typeof mail.html === "string" ? mail.html : "").toContain(`lang="${expected.lang}"`);
  expect(mail.messageId).toMatch(/^<[0-9a-f]{24}@safegrade>$/);
}

// ---------------------------------------------------------------------------------------------
// Grading fixtures (as in grading-workflow.test.ts)

async function gradingSetup() {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(tenant._id, { industry: "light", sizeClass: "micro" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  const reviewer = await createMember(tenant._id, "reviewer");
  const reviewer2 = await createMember(tenant._id, "reviewer");
  // The enterprise reads English; the authority Chinese.
  await User.updateOne({ _id: admin.user._id }, { $set: { locale: "en" } });
  return {
    tenant,
    enterprise,
    admin,
    regulator,
    reviewer,
    reviewer2,
    reviewerIds: [String(reviewer.user._id), String(reviewer2.user._id)],
    m: {
      admin: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id),
      regulator: memberOf(tenant._id, regulator.user, "regulator"),
      reviewer: memberOf(tenant._id, reviewer.user, "reviewer"),
      reviewer2: memberOf(tenant._id, reviewer2.user, "reviewer"),
    },
  };
}
type GradingSetup = Awaited<ReturnType<typeof gradingSetup>>;

/** The panel scores every item and confirms (the report needs a complete sheet, Step 10). */
async function scoreSheet(s: GradingSetup, id: Types.ObjectId, now: Date): Promise<void> {
  await completeReviewSheet({ tenantId: s.tenant._id, id, scorer: s.m.reviewer, members: [s.m.reviewer, s.m.reviewer2], now });
}

async function step(s: GradingSetup, id: Types.ObjectId, member: GradingMember, event: Parameters<typeof applyApplicationEvent>[0]["event"], now: Date) {
  const result = await applyApplicationEvent({ tenantId: s.tenant._id, applicationId: id, event, actor: { kind: "member", member }, now });
  if (!result.ok) throw new Error(`${event.type}: ${JSON.stringify(result)}`);
}


// ---------------------------------------------------------------------------------------------

describe("every message comes from its trigger and arrives over SMTP", () => {
  beforeEach(async () => {
    expect((await importRubricFiles()).errors).toEqual([]);
  });

  it("grading workflow: submitted, returned, accepted, reviewers, rectification, reported, notice, objection, certified (PDF), rejected", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    const id = app._id;
    const slug = s.tenant.slug;
    const appLink = `${APP}/t/${slug}/applications/${String(id)}`;
    const reviewLink = `${APP}/t/${slug}/reviews/${String(id)}`;

    await step(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0);
    let mails = await deliver(T0);
    expectMail(only(mails, "application-submitted", s.regulator.user.email), { subject: /新的定级申请待受理/, lang: "zh-CN", link: appLink });

    await step(s, id, s.m.regulator, { type: "RETURN", reason: "Evidence <item 3> unreadable" }, days(1));
    mails = await deliver(days(1));
    const returned = only(mails, "application-returned", s.admin.user.email);
    expectMail(returned, { subject: /returned/, lang: "en", link: appLink });
    expect(returned.text).toContain("Evidence <item 3> unreadable");
    expect(String(returned.html)).toContain("Evidence &lt;item 3&gt; unreadable");

    await step(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, days(2));
    await step(s, id, s.m.regulator, { type: "ACCEPT" }, days(2));
    await formPanel({ tenantId: s.tenant._id, applicationId: id, regulator: s.m.regulator, reviewerUserIds: [s.reviewer.user._id, s.reviewer2.user._id], now: days(2) });
    mails = await deliver(days(2));
    expectMail(only(mails, "application-accepted", s.admin.user.email), { subject: /accepted/, lang: "en", link: appLink });
    expectMail(only(mails, "reviewers-assigned", s.reviewer.user.email), { subject: /评审任务/, lang: "zh-CN", link: reviewLink });
    // Step 10: the review body's admin was asked to form the panel, with a link to the panel page.
    expectMail(only(mails, "review-body-assigned"), { subject: /委托评审/, lang: "zh-CN", link: `/t/${s.tenant.slug}/panels/${String(id)}` });

    await step(s, id, s.m.reviewer, { type: "START_REVIEW" }, days(3));
    // Step 10: rectification is per deducted item; the enterprise answers each one.
    const deductedItem = app.answers[0]?.itemId ?? "";
    const scored = await saveReviewSheet({
      tenantId: s.tenant._id,
      id,
      member: s.m.reviewer,
      expectedVersion: (await getAssessment({ tenantId: s.tenant._id, id }))?.version ?? -1,
      changes: [{ itemId: deductedItem, answer: { choice: "none", note: "Fire exits blocked" } }],
      now: days(3),
    });
    expect(scored?.status).toBe(200);
    await step(s, id, s.m.reviewer, { type: "REQUEST_RECTIFICATION", reason: "Fire exits blocked", days: 10, itemIds: [deductedItem] }, days(3));
    mails = await deliver(days(3));
    const rect = only(mails, "rectification-requested", s.admin.user.email);
    expectMail(rect, { subject: /Rectification requested/, lang: "en", link: appLink });
    expect(rect.text).toContain("Fire exits blocked");

    const answered = await answerRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: deductedItem, member: s.m.admin, note: "Exits cleared", now: days(4) });
    expect(answered.ok).toBe(true);
    await step(s, id, s.m.admin, { type: "SUBMIT_RECTIFICATION" }, days(4));
    const accepted = await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: deductedItem, member: s.m.reviewer, decision: "accept", now: days(4) });
    expect(accepted.ok).toBe(true);
    await scoreSheet(s, id, days(4));
    await step(s, id, s.m.reviewer, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(4));
    mails = await deliver(days(4));
    expectMail(only(mails, "review-reported", s.regulator.user.email), { subject: /评审报告已提交/, lang: "zh-CN", link: appLink });

    await step(s, id, s.m.regulator, { type: "APPROVE" }, days(5));
    await step(s, id, s.m.regulator, { type: "START_NOTICE" }, days(5));
    mails = await deliver(days(5));
    expectMail(only(mails, "public-notice-started", s.admin.user.email), { subject: /public notice/, lang: "en", link: appLink });

    const objection = await submitObjection({
      tenantId: s.tenant._id,
      applicationId: String(id),
      name: "张三",
      contact: "13800000000",
      statement: "上月发生过未报告的事故",
      ip: "10.0.0.9",
      now: days(6),
    });
    expect(objection.ok).toBe(true);
    mails = await deliver(days(6));
    const objected = only(mails, "objection-received", s.regulator.user.email);
    expectMail(objected, { subject: /公示期收到异议/, lang: "zh-CN", link: appLink });
    expect(objected.text).toContain("上月发生过未报告的事故");
    // The enterprise is told too, without the objector's name or contact.
    const toEnterprise = only(mails, "objection-received", s.admin.user.email);
    expect(toEnterprise.text).not.toContain("13800000000");
    expect(toEnterprise.text).not.toContain("张三");

    // Step 10: the authority verifies it; upheld, the application goes back to review.
    await step(s, id, s.m.regulator, { type: "UPHOLD_OBJECTION", reason: "Accident confirmed" }, days(7));
    mails = await deliver(days(7));
    const upheld = only(mails, "objection-upheld", s.admin.user.email);
    expectMail(upheld, { subject: /Objection upheld/, lang: "en", link: appLink });
    expect(upheld.text).toContain("Accident confirmed");
    expectMail(only(mails, "objection-upheld", s.reviewer.user.email), { subject: /异议经核实成立/, lang: "zh-CN", link: reviewLink });

    // Back through review to a certificate.
    await scoreSheet(s, id, days(7));
    await step(s, id, s.m.reviewer, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(7));
    await step(s, id, s.m.regulator, { type: "APPROVE" }, days(7));
    await step(s, id, s.m.regulator, { type: "START_NOTICE" }, days(7));
    expect((await runGradingDeadlines({ now: days(30) })).noticesEnded).toBe(1);
    await step(s, id, s.m.regulator, { type: "CERTIFY" }, days(31));
    mails = await deliver(days(31));
    const certified = only(mails, "application-certified", s.admin.user.email);
    expectMail(certified, { subject: /certified/, lang: "en", link: appLink });
    expect(certified.attachments).toHaveLength(1);
    const pdf = certified.attachments[0];
    expect(pdf?.contentType).toBe("application/pdf");
    expect(pdf?.content.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf?.filename).toMatch(/\.pdf$/);

    // A second application of another enterprise, rejected.
    const s2 = await gradingSetup();
    const app2 = await readyApplication(s2);
    await step(s2, app2._id, s2.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0);
    await step(s2, app2._id, s2.m.regulator, { type: "ACCEPT" }, days(1));
    await formPanel({ tenantId: s2.tenant._id, applicationId: app2._id, regulator: s2.m.regulator, reviewerUserIds: [s2.reviewer.user._id, s2.reviewer2.user._id], now: days(1) });
    await step(s2, app2._id, s2.m.reviewer, { type: "START_REVIEW" }, days(2));
    await scoreSheet(s2, app2._id, days(2));
    await step(s2, app2._id, s2.m.reviewer, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(2));
    await step(s2, app2._id, s2.m.regulator, { type: "REJECT", reason: "Major hazard not controlled" }, days(3));
    mails = await deliver(days(3));
    const rejected = only(mails, "application-rejected", s2.admin.user.email);
    expectMail(rejected, { subject: /rejected/, lang: "en", link: `${APP}/t/${s2.tenant.slug}/applications/${String(app2._id)}` });
    expect(rejected.text).toContain("Major hazard not controlled");

    // The outbox agrees: everything sent, one attempt each, Message-ID = outbox id.
    const rows = await OutboxMessage.find({ tenantId: { $in: [s.tenant._id, s2.tenant._id] } }).lean();
    expect(rows.every((r) => r.status === "sent" && r.attempts.length === 1 && r.attempts[0]?.outcome === "sent")).toBe(true);
  });

  it("certificate lifecycle: reminders at 90 and 30 days, expired, suspended, revoked", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    const id = app._id;
    await step(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0);
    await step(s, id, s.m.regulator, { type: "ACCEPT" }, days(1));
    await formPanel({ tenantId: s.tenant._id, applicationId: id, regulator: s.m.regulator, reviewerUserIds: [s.reviewer.user._id, s.reviewer2.user._id], now: days(1) });
    await step(s, id, s.m.reviewer, { type: "START_REVIEW" }, days(2));
    await scoreSheet(s, id, days(2));
    await step(s, id, s.m.reviewer, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(2));
    await step(s, id, s.m.regulator, { type: "APPROVE" }, days(3));
    await step(s, id, s.m.regulator, { type: "START_NOTICE" }, days(3));
    await runGradingDeadlines({ now: days(30) });
    await step(s, id, s.m.regulator, { type: "CERTIFY" }, days(31));
    await deliver(days(31));
    const cert = await getCertificateForApplication({ tenantId: s.tenant._id, applicationId: id });
    if (!cert) throw new Error("no certificate");
    const certLink = `${APP}/t/${s.tenant.slug}/certificates/${String(cert._id)}`;
    const until = cert.validUntil.getTime();

    await runCertificateLifecycle({ now: new Date(until - 89 * DAY) });
    let mails = await deliver(new Date(until - 89 * DAY));
    const r90 = only(mails, "certificate-expiry-reminder", s.admin.user.email);
    expectMail(r90, { subject: /expires within 90 days/, lang: "en", link: certLink });
    await runCertificateLifecycle({ now: new Date(until - 29 * DAY) });
    mails = await deliver(new Date(until - 29 * DAY));
    expectMail(only(mails, "certificate-expiry-reminder", s.admin.user.email), { subject: /expires within 30 days/, lang: "en", link: certLink });

    const actor = { id: s.regulator.user._id, email: s.regulator.user.email };
    const at = new Date(until - 20 * DAY);
    expect((await suspendCertificate({ tenantId: s.tenant._id, id: cert._id, reason: "Accident under investigation", actor, now: at })).ok).toBe(true);
    mails = await deliver(at);
    const suspended = only(mails, "certificate-suspended", s.admin.user.email);
    expectMail(suspended, { subject: /suspended/, lang: "en", link: certLink });
    expect(suspended.text).toContain("Accident under investigation");

    expect((await revokeCertificate({ tenantId: s.tenant._id, id: cert._id, reason: "Concealed accident", grounds: ["concealedAccident"], actor, now: at })).ok).toBe(true);
    mails = await deliver(at);
    const revoked = only(mails, "certificate-revoked", s.admin.user.email);
    expectMail(revoked, { subject: /revoked/, lang: "en", link: certLink });
    expect(revoked.text).toContain("Concealed accident");

    // Expiry: the enterprise admin switches to Chinese; a second certificate runs out.
    await User.updateOne({ _id: s.admin.user._id }, { $set: { locale: "zh-CN" } });
    const app2 = await Assessment.create({
      tenantId: s.tenant._id,
      enterpriseId: s.enterprise._id,
      cycle: "2027",
      rubricVersionId: app.rubricVersionId,
      rubricKey: app.rubricKey,
      rubricVersion: app.rubricVersion,
      createdBy: s.admin.user._id,
      appliedLevel: "qualified",
      state: "certified",
      pendingCertificate: { level: "qualified", appliedLevel: "qualified", lowerLevel: false, issuedAt: days(40), certifiedBy: null, version: 3 },
      version: 3,
    });
    const { issueCertificateForApplication } = await import("~/data/certificates.server");
    const second = await issueCertificateForApplication({ tenantId: s.tenant._id, applicationId: app2._id, now: days(40) });
    if (!second.ok) throw new Error(second.error);
    const after = new Date(second.certificate.validUntil.getTime() + DAY);
    expect((await runCertificateLifecycle({ now: after })).expired).toBe(1);
    mails = await deliver(after);
    expectMail(only(mails, "certificate-expired", s.admin.user.email), {
      subject: /证书已到期失效/,
      lang: "zh-CN",
      link: `${APP}/t/${s.tenant.slug}/certificates/${String(second.certificate._id)}`,
    });
  });

  it("accounts: invitation, password reset (sessions revoked, single use), registration approved and refused", async () => {
    const tenant = await createTenant();
    const { user: admin } = await createMember(tenant._id, "tenant_admin");
    const adminCookie = await cookieFor(admin._id);

    // Invitation: the route action queues it; the mail carries the link.
    const invited = await callAction(usersAction, `/t/${tenant.slug}/admin/users`, { slug: tenant.slug }, {
      cookie: adminCookie,
      form: { intent: "invite", email: "new.reviewer@example.com", role: "reviewer", enterpriseId: "" },
    });
    expect(invited.status).toBe(200);
    let mails = await deliver(new Date());
    const invitation = only(mails, "invitation", "new.reviewer@example.com");
    expectMail(invitation, { subject: /邀请您加入/, lang: "zh-CN", link: `${APP}/t/${tenant.slug}/invite/` });
    expect(invitation.text).toContain("评审专家");

    // Password reset: an English user asks on the login page's form.
    const { user } = await createMember(tenant._id, "regulator", { email: "reg.en@example.com" });
    await User.updateOne({ _id: user._id }, { $set: { locale: "en" } });
    await cookieFor(user._id);
    await cookieFor(user._id);
    expect(await Session.countDocuments({ userId: user._id })).toBe(2);
    const asked = await callAction(forgotAction, `/t/${tenant.slug}/forgot-password`, { slug: tenant.slug }, {
      form: { email: "Reg.EN@example.com" },
    });
    expect(asked).toMatchObject({ status: 200, data: { sent: true } });
    // An unknown address gets the very same answer, and no mail.
    const unknown = await callAction(forgotAction, `/t/${tenant.slug}/forgot-password`, { slug: tenant.slug }, {
      form: { email: "nobody@example.com" },
    });
    expect(unknown).toMatchObject({ status: 200, data: { sent: true } });
    mails = await deliver(new Date());
    expect(mails.map(toOf)).toEqual(["reg.en@example.com"]);
    const reset = only(mails, "password-reset", "reg.en@example.com");
    expectMail(reset, { subject: /Reset your SafeGrade password/, lang: "en", link: `${APP}/t/${tenant.slug}/reset-password/` });
    const link = /https?:\/\/\S+\/reset-password\/[\w-]+/.exec(reset.text ?? "")?.[0] ?? "";
    const token = link.split("/").pop() ?? "";
    expect(token.length).toBeGreaterThanOrEqual(43);
    // The token is stored hashed only.
    expect(JSON.stringify(await OutboxMessage.db.collection("password_resets").find({}).toArray())).not.toContain(token);

    const params = { slug: tenant.slug, token };
    const url = `/t/${tenant.slug}/reset-password/${token}`;
    expect((await callLoader(resetLoader, url, params)).data).toMatchObject({ valid: true, email: "reg.en@example.com" });
    const weak = await callAction(resetAction, url, params, { form: { password: "short", confirmPassword: "short" } });
    expect(weak.status).toBe(400);
    const NEW = "Brand-new-pass-2026";
    const [a, b] = await Promise.all([
      callAction(resetAction, url, params, { form: { password: NEW, confirmPassword: NEW } }),
      callAction(resetAction, url, params, { form: { password: "Other-pass-2026x", confirmPassword: "Other-pass-2026x" } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 410]);
    const winner = a.status === 200 ? NEW : "Other-pass-2026x";
    expect(await Session.countDocuments({ userId: user._id })).toBe(0);
    // The used link answers 200 "already used" (the page after a successful reset; decision 016).
    expect(await callLoader(resetLoader, url, params)).toMatchObject({ status: 200, data: { valid: false, used: true } });
    const login = await callAction(loginAction, `/t/${tenant.slug}/login`, { slug: tenant.slug }, {
      form: { email: "reg.en@example.com", password: winner },
    });
    expect(login.status).toBe(302);

    // Registration decisions: the regulator approves one and refuses another.
    const { user: regulator } = await createMember(tenant._id, "regulator");
    const regCookie = await cookieFor(regulator._id);
    const register = async (email: string) => {
      const form = {
        name: "成都示例化工有限公司",
        creditCode: randomCreditCode(),
        industry: "chemical",
        sizeClass: "small",
        districtCode: "510105",
        address: "青羊区示例路 8 号",
        contactName: "李安全",
        contactPhone: "028-86660000",
        adminName: "李安全",
        adminEmail: email,
        password: "Safe-grade-2026",
        confirmPassword: "Safe-grade-2026",
      };
      expect((await callAction(registerAction, `/t/${tenant.slug}/register`, { slug: tenant.slug }, { form })).status).toBe(302);
      const reg = await Registration.findOne({ tenantId: tenant._id, "admin.email": email }).lean();
      return String(reg?._id);
    };
    const okId = await register("approved@example.com");
    const noId = await register("refused@example.com");
    const decide = (form: Record<string, string>) =>
      callAction(decideAction, `/t/${tenant.slug}/registrations`, { slug: tenant.slug }, { cookie: regCookie, form });
    expect((await decide({ intent: "approve", id: okId })).status).toBe(200);
    expect((await decide({ intent: "refuse", id: noId, reason: "营业执照与信用代码不符" })).status).toBe(200);
    mails = await deliver(new Date());
    expectMail(only(mails, "registration-approved", "approved@example.com"), {
      subject: /企业注册已通过/,
      lang: "zh-CN",
      link: `${APP}/t/${tenant.slug}/login`,
    });
    const refused = only(mails, "registration-refused", "refused@example.com");
    expectMail(refused, { subject: /企业注册未通过/, lang: "zh-CN", link: `${APP}/t/${tenant.slug}/register` });
    expect(refused.text).toContain("营业执照与信用代码不符");
  });

  it("credit list: notice, listed, repair decided, removed — from the credit workflow's own transitions", async () => {
    const tenant = await createTenant();
    const creditCode = randomCreditCode();
    const enterprise = await createEnterprise(tenant._id, { creditCode });
    const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
    const regulator = await createMember(tenant._id, "regulator");
    await User.updateOne({ _id: admin.user._id }, { $set: { locale: "en" } });
    const reg = { kind: "member", member: memberOf(tenant._id, regulator.user, "regulator") } as const;
    const ent = { kind: "member", member: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id) } as const;
    const t0 = new Date();
    const created = await createCreditDraft({
      tenantId: tenant._id,
      member: reg.member,
      now: t0,
      input: {
        subjectName: "成都某某化工有限公司",
        creditCode,
        subjectType: "enterprise",
        responsibleName: "张三",
        responsibleIdNumber: "510104198001011234",
        listType: "serious2023",
        conditionKey: "c2023_concealed_accident",
        facts: "瞒报一起生产安全事故。",
        legalBasis: "《安全生产严重失信主体名单管理办法》第七条",
        penaltyDecisionNo: "成应急罚〔2026〕12号",
        authority: "成都市应急管理局",
      },
    });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const id = created.id;
    const step = async (event: Record<string, unknown>, actor: typeof reg | typeof ent, now: Date) => {
      const r = await applyCreditRecordEvent({ tenantId: tenant._id, id, event, actor, now });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    };
    const deadline = new Date(t0.getTime() + 7 * DAY);
    const isoDay = (at: Date) => new Date(at.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
    await step({ type: "SEND_NOTICE", defenceDeadline: isoDay(deadline) }, reg, t0);
    const link = `${APP}/t/${tenant.slug}/credit/${id}`;
    const notice = only(await deliver(t0), "credit-notice", admin.user.email);
    expectMail(notice, { subject: /Notice of intended credit listing/, lang: "en", link });
    expect(notice.text).toContain(isoDay(deadline));

    const decidedAt = new Date(t0.getTime() + 9 * DAY);
    await step({ type: "DECIDE_LIST", decisionText: "决定列入" }, reg, decidedAt);
    await step({ type: "PUBLISH" }, reg, decidedAt);
    expectMail(only(await deliver(decidedAt), "credit-listed", admin.user.email), { subject: /Put on the work-safety credit list: 成都某某化工有限公司/, lang: "en", link });

    const later = new Date(decidedAt.getTime() + 400 * DAY);
    await step({ type: "APPLY_REPAIR", statement: "已完成整改并通过复查" }, ent, later);
    await step({ type: "GRANT_REPAIR", reasons: "整改到位，准予修复", ...REPAIR_TICKED }, reg, later);
    const mails = await deliver(later);
    const repair = only(mails, "credit-repair-decided", admin.user.email);
    expectMail(repair, { subject: /Credit repair granted/, lang: "en", link });
    expect(repair.text).toContain("整改到位，准予修复");
    expectMail(only(mails, "credit-removed", admin.user.email), { subject: /Removed from the work-safety credit list/, lang: "en", link });
  });
});

// ---------------------------------------------------------------------------------------------

async function queue(tenantId: Types.ObjectId, n: number, now: Date, to = (i: number) => `r${i}@example.com`) {
  for (let i = 0; i < n; i += 1) {
    await enqueueEmail({
      tenantId,
      idempotencyKey: `test:${String(tenantId)}:${i}`,
      template: "registration-refused",
      to: to(i),
      locale: "zh-CN",
      data: { registrationId: String(i), enterpriseName: `企业${i}`, creditCode: "91510100MA6CXXXX0X", adminName: "李", reason: "测试" },
      now,
    });
  }
  return OutboxMessage.find({ tenantId }).lean();
}

describe("reliability", () => {
  it("SMTP server down: retried with backoff, delivered when it is back", async () => {
    const tenant = await createTenant();
    const t = new Date("2026-05-01T00:00:00Z");
    await queue(tenant._id, 2, t);
    await sink.stop();
    try {
      const first = await runOutboxWorker({ now: t, transport, backoffMs: 60_000 });
      expect(first).toMatchObject({ claimed: 2, sent: 0, retried: 2 });
      let rows = await OutboxMessage.find({ tenantId: tenant._id }).lean();
      for (const r of rows) {
        expect(r.status).toBe("retry");
        expect(r.attempts).toHaveLength(1);
        expect(r.attempts[0]?.outcome).toBe("retry");
        expect(r.lastError).toMatch(/ECONNREFUSED|connect/i);
        expect(r.nextAttemptAt.getTime()).toBe(t.getTime() + 60_000);
      }
      // Not due yet: nothing happens.
      expect((await runOutboxWorker({ now: new Date(t.getTime() + 30_000), transport })).claimed).toBe(0);
      // Still down at the second attempt: the wait doubles.
      const second = await runOutboxWorker({ now: new Date(t.getTime() + 60_000), transport, backoffMs: 60_000 });
      expect(second.retried).toBe(2);
      rows = await OutboxMessage.find({ tenantId: tenant._id }).lean();
      expect(rows.every((r) => r.nextAttemptAt.getTime() === t.getTime() + 60_000 + 120_000)).toBe(true);
    } finally {
      await sink.start();
    }
    const third = await runOutboxWorker({ now: new Date(t.getTime() + 180_000), transport });
    expect(third).toMatchObject({ claimed: 2, sent: 2 });
    const rows = await OutboxMessage.find({ tenantId: tenant._id }).lean();
    expect(rows.map((r) => [r.status, r.attempts.map((a) => a.outcome)])).toEqual([
      ["sent", ["retry", "retry", "sent"]],
      ["sent", ["retry", "retry", "sent"]],
    ]);
    expect(sink.raw).toHaveLength(2);
  });

  it("a 550 fails the message at once, never retried; a 451 is retried; N temporary failures fail it", async () => {
    const tenant = await createTenant();
    const t = new Date("2026-05-02T00:00:00Z");
    await queue(tenant._id, 2, t, (i) => (i === 0 ? "gone@example.com" : "busy@example.com"));
    sink.setMode("reject550", "gone@example.com");
    sink.setMode("tempfail451", "busy@example.com");
    const run = await runOutboxWorker({ now: t, transport, maxAttempts: 3, backoffMs: 1000 });
    expect(run).toMatchObject({ claimed: 2, failed: 1, retried: 1 });
    const gone = await OutboxMessage.findOne({ tenantId: tenant._id, to: "gone@example.com" }).lean();
    expect(gone?.status).toBe("failed");
    expect(gone?.attempts.map((a) => a.outcome)).toEqual(["failed"]);
    expect(gone?.lastError).toMatch(/550/);
    // Far in the future: the 550 stays failed; the 451 is tried until the limit (3 attempts).
    for (let i = 1; i <= 4; i += 1) await runOutboxWorker({ now: new Date(t.getTime() + i * 3_600_000), transport, maxAttempts: 3 });
    const again = await OutboxMessage.findOne({ tenantId: tenant._id, to: "gone@example.com" }).lean();
    expect(again?.attempts).toHaveLength(1);
    const busy = await OutboxMessage.findOne({ tenantId: tenant._id, to: "busy@example.com" }).lean();
    expect(busy?.status).toBe("failed");
    expect(busy?.attempts.map((a) => a.outcome)).toEqual(["retry", "retry", "failed"]);
    expect(busy?.lastError).toMatch(/451/);
    expect(sink.raw).toHaveLength(0);
  });

  it("two workers at once never send the same message twice", async () => {
    const tenant = await createTenant();
    const t = new Date("2026-05-03T00:00:00Z");
    const rows = await queue(tenant._id, 12, t);
    const other = createMailTransport({ kind: "smtp", url: sink.url });
    try {
      const [a, b] = await Promise.all([
        runOutboxWorker({ now: t, transport, workerId: "A", batchSize: 12 }),
        runOutboxWorker({ now: t, transport: other, workerId: "B", batchSize: 12 }),
      ]);
      expect(a.sent + b.sent).toBe(12);
    } finally {
      other.close();
    }
    const ids = (await sink.parsed()).map((m) => m.messageId);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(new Set(ids)).toEqual(new Set(rows.map((r) => outboxMessageId(r._id))));
    const after = await OutboxMessage.find({ tenantId: tenant._id }).lean();
    expect(after.every((r) => r.status === "sent" && r.attempts.length === 1)).toBe(true);
  });

  it("a worker process SIGKILLed mid-batch loses nothing; the restart resends with the same Message-ID", async () => {
    const tenant = await createTenant();
    const t = new Date("2026-05-04T00:00:00Z");
    const rows = await queue(tenant._id, 8, t);
    const child = spawn(
      path.resolve("node_modules/.bin/tsx"),
      [path.resolve("tests/fixtures/outbox-worker-child.ts"), sink.url, t.toISOString(), "3"],
      { env: { ...process.env, LOG_LEVEL: "silent" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // Kill it right after its third send, before that send is recorded (the child waits there).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never sent 3 mails:\n${out}\n${err}`)), 60_000);
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if ((out.match(/^SENT /gm) ?? []).length >= 3) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    expect(await exited).toBe("SIGKILL");
    const sentByChild = (out.match(/^SENT (\w+)/gm) ?? []).map((l) => l.slice(5));
    expect(sentByChild).toHaveLength(3);
    let states = await OutboxMessage.find({ tenantId: tenant._id }).lean();
    expect(states.filter((r) => r.status === "sending").length).toBeGreaterThan(0);

    // Before the lease runs out nobody touches the claimed ones.
    expect((await runOutboxWorker({ now: new Date(t.getTime() + 30_000), transport })).claimed).toBe(0);
    // After it, a new worker takes them over.
    const restart = await runOutboxWorker({ now: new Date(t.getTime() + 61_000), transport, workerId: "restart" });
    expect(restart.lost).toBeGreaterThan(0);
    states = await OutboxMessage.find({ tenantId: tenant._id }).lean();
    expect(states.every((r) => r.status === "sent")).toBe(true);

    const delivered = (await sink.parsed()).map((m) => m.messageId ?? "");
    const expected = rows.map((r) => outboxMessageId(r._id));
    // At least once each…
    expect(new Set(delivered)).toEqual(new Set(expected));
    // …and the one sent but not recorded before the kill went out twice, with the same Message-ID.
    const counts = new Map<string, number>();
    for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect(duplicated.length).toBeGreaterThanOrEqual(1);
    const last = sentByChild.at(-1) ?? "";
    expect(duplicated).toContain(outboxMessageId(last));
    const interrupted = states.find((r) => String(r._id) === last);
    expect(interrupted?.attempts.map((a) => a.outcome)).toEqual(["interrupted", "sent"]);
  }, 90_000);
});

describe("configuration", () => {
  const base = { MONGODB_URI: "mongodb://x", SESSION_SECRET: "s".repeat(40) };
  it("production without SMTP_URL does not start; with one (or explicit capture) it does", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(/SMTP_URL: must be set in production/);
    expect(parseEnv({ ...base, NODE_ENV: "production", SMTP_URL: "smtps://u:p@smtp.example.com:465" }).SMTP_URL).toBe(
      "smtps://u:p@smtp.example.com:465",
    );
    expect(parseEnv({ ...base, NODE_ENV: "production", MAIL_CAPTURE: "true" }).MAIL_CAPTURE).toBe("true");
    // Development and tests capture without SMTP.
    expect(parseEnv({ ...base, NODE_ENV: "development" }).SMTP_URL).toBeUndefined();
  });
  it("validates SMTP_URL and MAIL_FROM", () => {
    expect(() => parseEnv({ ...base, SMTP_URL: "http://mail.example.com" })).toThrow(/SMTP_URL/);
    expect(() => parseEnv({ ...base, SMTP_URL: "not a url" })).toThrow(/SMTP_URL/);
    expect(() => parseEnv({ ...base, MAIL_FROM: "nobody" })).toThrow(/MAIL_FROM/);
    expect(parseEnv({ ...base, MAIL_FROM: "成都应急局 <noreply@cd.example.cn>" }).MAIL_FROM).toBe("成都应急局 <noreply@cd.example.cn>");
  });
});
