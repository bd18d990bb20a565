/**
 * Step 10 items 2, 6, 7 on the real database (decision 021): the organizing unit on and off,
 * rectification per item with an evidence upload, re-opening and leaving open, objections upheld
 * and dismissed (elapsed working days kept or restarted) and the objector's privacy.
 */
import { type Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { OutboxMessage } from "../../models/outbox-message";
import { RectificationItem } from "../../models/rectification-item";
import { Tenant } from "../../models/tenant";
import { purgeOrphanEvidence } from "~/data/evidence.server";
import { answerRectificationItem, decideRectificationItem, rectificationSummary, runGradingDeadlines, setOrganizerEnabled, submitObjection, type GradingMember } from "~/data/grading.server";
import { getApplicationPage } from "~/data/grading-views.server";
import { loadReviewReportData } from "~/data/grading/review-report.server";
import { importRubricFiles } from "~/data/rubrics.server";
import {
  action as applicationAction,
  loader as applicationLoader,
} from "~/routes/t.$slug.applications.$id";
import { action as rectificationAction } from "~/routes/t.$slug.applications.$id_.rectification";
import { loader as rectificationFileLoader } from "~/routes/t.$slug.applications.$id_.rectification.$fileId";
import { loader as noticesLoader } from "~/routes/t.$slug.notices";
import { action as workflowAction, loader as workflowLoader } from "~/routes/t.$slug.admin.workflow";
import { SAMPLES } from "../evidence-samples";
import { cookieFor, createEnterprise, createMember, createTenant, formPanel } from "../factories";
import { callAction, callLoader } from "../route-helpers";
import { completeReviewSheet } from "../review-sheet";
import { days, expectOk as ok, memberOf, readyApplication, reload, send, T0 } from "../grading-fixtures";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

async function setup({ organizer = false }: { organizer?: boolean } = {}) {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(tenant._id, { industry: "light", sizeClass: "micro" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  const org = await createMember(tenant._id, "organizer");
  const reviewer1 = await createMember(tenant._id, "reviewer");
  const reviewer2 = await createMember(tenant._id, "reviewer");
  if (organizer) {
    await setOrganizerEnabled({
      tenantId: tenant._id,
      enabled: true,
      actor: { id: regulator.user._id, email: regulator.user.email },
    });
  }
  const m = {
    admin: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id),
    regulator: memberOf(tenant._id, regulator.user, "regulator"),
    organizer: memberOf(tenant._id, org.user, "organizer"),
    reviewer1: memberOf(tenant._id, reviewer1.user, "reviewer"),
    reviewer2: memberOf(tenant._id, reviewer2.user, "reviewer"),
  };
  return { tenant, enterprise, admin, regulator, org, reviewer1, reviewer2, m };
}
type Setup = Awaited<ReturnType<typeof setup>>;

const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`);

async function toUnderReview(s: Setup, id: Types.ObjectId, acceptor: GradingMember) {
  await ok(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
  await ok(await send(s, id, acceptor, { type: "ACCEPT" }, days(1)));
  await formPanel({ tenantId: s.tenant._id, applicationId: id, regulator: s.m.regulator, reviewerUserIds: [s.reviewer1.user._id, s.reviewer2.user._id], now: days(1) });
  await ok(await send(s, id, s.m.reviewer1, { type: "START_REVIEW" }, days(1)));
}

/**
 * The lead fills the whole consolidated sheet: all points deducted ("none", with a note) on the
 * first `count` non-veto items (a vetoed sheet gives no level), "full" elsewhere; both members
 * confirm. Returns the deducted item ids.
 */
async function deduct(s: Setup, id: Types.ObjectId, count: number): Promise<string[]> {
  const itemIds: string[] = [];
  await completeReviewSheet({
    tenantId: s.tenant._id,
    id,
    scorer: s.m.reviewer1,
    members: [s.m.reviewer1, s.m.reviewer2],
    answerFor: (item) => {
      if (item.veto || itemIds.length >= count) return { choice: "full" };
      itemIds.push(item.id);
      return { choice: "none", note: "现场未见记录" };
    },
  });
  return itemIds;
}

/** A complete, confirmed sheet without deductions (REPORT_REVIEW needs one). */
const completeSheet = (s: Setup, id: Types.ObjectId) => deduct(s, id, 0);

async function mailsTo(s: Setup, template: string): Promise<string[]> {
  const rows = await OutboxMessage.find({ tenantId: s.tenant._id, template }).lean();
  return rows.map((r) => r.to).sort();
}

// ---------------------------------------------------------------------------------------------

describe("organizing unit (组织单位)", () => {
  it("off: the regulator accepts and approves as before; the organizer is refused", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    await ok(await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    expect(await mailsTo(s, "application-submitted")).toEqual([s.regulator.user.email]);
    const refused = await send(s, app._id, s.m.organizer, { type: "ACCEPT" }, days(1));
    expect(refused).toMatchObject({ ok: false, error: "blocked", reasons: ["no-organizer"] });
    await ok(await send(s, app._id, s.m.regulator, { type: "ACCEPT" }, days(1)));
    await formPanel({ tenantId: s.tenant._id, applicationId: app._id, regulator: s.m.regulator, reviewerUserIds: [s.reviewer1.user._id, s.reviewer2.user._id], now: days(1) });
    await ok(await send(s, app._id, s.m.reviewer1, { type: "START_REVIEW" }, days(1)));
    await completeSheet(s, app._id);
    const reported = await ok(
      await send(s, app._id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(2)),
    );
    expect(reported.state).toBe("reviewReported.pendingApproval");
    expect(
      await send(s, app._id, s.m.organizer, { type: "ORGANIZER_APPROVE_REPORT" }, days(2)),
    ).toMatchObject({ ok: false, reasons: ["invalid-in-state"] });
    await ok(await send(s, app._id, s.m.regulator, { type: "APPROVE" }, days(3)));
  });

  it("on: the organizer accepts and checks the report before the authority; it may return the report", async () => {
    const s = await setup({ organizer: true });
    const app = await readyApplication(s);
    const id = app._id;
    await ok(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    expect(await mailsTo(s, "application-submitted")).toEqual([s.org.user.email]);
    expect(await send(s, id, s.m.regulator, { type: "ACCEPT" }, days(1))).toMatchObject({
      ok: false,
      error: "blocked",
      reasons: ["organizer-decides"],
    });
    // The organizer's application page offers acceptance; the regulator's does not let it through.
    const orgPage = await getApplicationPage({ tenantId: s.tenant._id, id: String(id), member: s.m.organizer });
    expect(orgPage?.actions.find((a) => a.type === "ACCEPT")).toEqual({ type: "ACCEPT", blocked: [] });
    const regPage = await getApplicationPage({ tenantId: s.tenant._id, id: String(id), member: s.m.regulator });
    expect(regPage?.actions.find((a) => a.type === "ACCEPT")?.blocked).toEqual(["organizer-decides"]);

    await ok(await send(s, id, s.m.organizer, { type: "ACCEPT" }, days(1)));
    await formPanel({ tenantId: s.tenant._id, applicationId: id, regulator: s.m.regulator, reviewerUserIds: [s.reviewer1.user._id, s.reviewer2.user._id], now: days(1) });
    await ok(await send(s, id, s.m.reviewer1, { type: "START_REVIEW" }, days(1)));
    await completeSheet(s, id);
    const reported = await ok(
      await send(s, id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(2)),
    );
    expect(reported.state).toBe("reviewReported.organizerCheck");
    expect(await mailsTo(s, "review-reported")).toEqual([s.org.user.email]);
    expect(await send(s, id, s.m.regulator, { type: "APPROVE" }, days(2))).toMatchObject({
      ok: false,
      reasons: ["invalid-in-state"],
    });

    // Returned to the panel with a reason, reported again, then passed on.
    expect(
      await send(s, id, s.m.organizer, { type: "ORGANIZER_RETURN_REPORT", reason: "" }, days(2)),
    ).toMatchObject({ ok: false, status: 400 });
    const back = await ok(
      await send(s, id, s.m.organizer, { type: "ORGANIZER_RETURN_REPORT", reason: "扣分依据不充分" }, days(3)),
    );
    expect(back.state).toBe("underReview.reviewing");
    expect(await mailsTo(s, "report-returned")).toEqual(
      [s.reviewer1.user.email, s.reviewer2.user.email].sort(),
    );
    await completeSheet(s, id);
    await ok(await send(s, id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(4)));
    const passed = await ok(await send(s, id, s.m.organizer, { type: "ORGANIZER_APPROVE_REPORT" }, days(5)));
    expect(passed.state).toBe("reviewReported.pendingApproval");
    expect(await mailsTo(s, "report-checked")).toEqual([s.regulator.user.email]);
    await ok(await send(s, id, s.m.regulator, { type: "APPROVE" }, days(5)));

    const doc = await reload(s, id);
    expect(doc.history.map((h) => [h.event, h.actorRole]).slice(-4)).toEqual([
      ["ORGANIZER_RETURN_REPORT", "organizer"],
      ["REPORT_REVIEW", "reviewer"],
      ["ORGANIZER_APPROVE_REPORT", "organizer"],
      ["APPROVE", "regulator"],
    ]);
    const audit = await AuditEvent.find({ tenantId: s.tenant._id, action: "application.organizer_return_report" }).lean();
    expect(audit).toHaveLength(1);
  });

  it("the tenant administrator turns it on and off on the workflow page (audited); a regulator may not", async () => {
    const s = await setup();
    const tenantAdmin = await createMember(s.tenant._id, "tenant_admin");
    const url = `/t/${s.tenant.slug}/admin/workflow`;
    const params = { slug: s.tenant.slug };
    const cookie = await cookieFor(tenantAdmin.user._id);
    const before = await callLoader(workflowLoader, url, params, { cookie });
    expect(before.data).toMatchObject({ organizerEnabled: false, canManage: true });
    const on = await callAction(workflowAction, url, params, {
      cookie,
      form: { intent: "organizer", organizerEnabled: "true" },
    });
    expect(on).toMatchObject({ status: 200, data: { ok: true } });
    expect((await Tenant.findOne({ _id: s.tenant._id }).lean())?.settings.organizerEnabled).toBe(true);
    const byRegulator = await callAction(workflowAction, url, params, {
      cookie: await cookieFor(s.regulator.user._id),
      form: { intent: "organizer" },
    });
    expect(byRegulator.status).toBe(403);
    expect((await Tenant.findOne({ _id: s.tenant._id }).lean())?.settings.organizerEnabled).toBe(true);
    await callAction(workflowAction, url, params, { cookie, form: { intent: "organizer" } });
    expect((await Tenant.findOne({ _id: s.tenant._id }).lean())?.settings.organizerEnabled).toBe(false);
    const audit = await AuditEvent.find({ tenantId: s.tenant._id, action: "settings.organizer" }).lean();
    // In the order written (an unsorted read has no order on PostgreSQL).
    audit.sort((a, b) => a.at.getTime() - b.at.getTime() || String(a._id).localeCompare(String(b._id)));
    expect(audit.map((a) => a.details)).toEqual([{ enabled: true }, { enabled: false }]);
  });

  it("a running application keeps the setting it was submitted under", async () => {
    const s = await setup({ organizer: true });
    const app = await readyApplication(s);
    await ok(await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    await setOrganizerEnabled({
      tenantId: s.tenant._id,
      enabled: false,
      actor: { id: s.regulator.user._id, email: s.regulator.user.email },
    });
    expect(await send(s, app._id, s.m.regulator, { type: "ACCEPT" }, days(1))).toMatchObject({
      ok: false,
      reasons: ["organizer-decides"],
    });
    // The acceptance deadline reminder goes to the organizing unit too.
    expect((await runGradingDeadlines({ now: days(4) })).reminders).toBeGreaterThan(0);
    expect(await mailsTo(s, "deadline-reminder")).toEqual([s.org.user.email]);
    await ok(await send(s, app._id, s.m.organizer, { type: "ACCEPT" }, days(1)));
  });
});

describe("rectification per item (整改项)", () => {
  it("asks for picked deducted items; the enterprise answers each with a note and a file; reopen, second round, accept, report", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    const id = app._id;
    await toUnderReview(s, id, s.m.regulator);
    // The page's form acts at the real clock: every later step comes after it.
    const start = new Date();
    const at = (n: number) => new Date(start.getTime() + n * 24 * 60 * 60 * 1000);
    const [a, b] = await deduct(s, id, 2);
    if (!a || !b) throw new Error("no items");
    const notDeducted = (await reload(s, id)).answers[5]?.itemId ?? "";

    // Picks are checked against the reviewer's deductions.
    expect(
      await send(s, id, s.m.reviewer1, { type: "REQUEST_RECTIFICATION", reason: "整改", days: 10, itemIds: [] }, at(2)),
    ).toMatchObject({ ok: false, reasons: ["rectification-items-required"] });
    expect(
      await send(s, id, s.m.reviewer1, { type: "REQUEST_RECTIFICATION", reason: "整改", days: 10, itemIds: [notDeducted] }, at(2)),
    ).toMatchObject({ ok: false, reasons: ["rectification-item-invalid"] });
    // Through the application page's form: one checkbox per picked item.
    const pageUrl = `/t/${s.tenant.slug}/applications/${String(id)}`;
    const pageParams = { slug: s.tenant.slug, id: String(id) };
    const reviewerCookie = await cookieFor(s.reviewer1.user._id);
    const panel = await callLoader(applicationLoader, pageUrl, pageParams, { cookie: reviewerCookie });
    expect(
      (panel.data as { rectification: { options: Array<{ itemId: string }> } }).rectification.options.map((o) => o.itemId),
    ).toEqual([a, b].sort());
    const body = new URLSearchParams({ intent: "REQUEST_RECTIFICATION", reason: "消防通道堵塞，限期整改", days: "10" });
    body.append("itemIds", a);
    body.append("itemIds", b);
    const requested = await applicationAction({
      request: new Request(new URL(pageUrl, "http://localhost:3000"), {
        method: "POST",
        body,
        headers: { Cookie: reviewerCookie, "x-sg-client-ip": "127.0.0.1" },
      }),
      params: pageParams,
      context: {},
    });
    expect(requested.data).toMatchObject({ ok: true, done: "REQUEST_RECTIFICATION" });
    expect((await reload(s, id)).state).toBe("underReview.rectification");
    const rectifyBy = (await reload(s, id)).deadlines?.rectifyBy;
    const items = await RectificationItem.find({ tenantId: s.tenant._id, applicationId: id }).sort({ itemId: 1 }).lean();
    expect(items.map((i) => [i.itemId, i.status, i.deadline.toISOString()])).toEqual(
      [a, b].sort().map((itemId) => [itemId, "open", rectifyBy?.toISOString()]),
    );
    expect(items[0]?.itemTitle.zh.length).toBeGreaterThan(0);

    // Not every item answered yet: the enterprise cannot submit.
    expect(await send(s, id, s.m.admin, { type: "SUBMIT_RECTIFICATION" }, at(3))).toMatchObject({
      ok: false,
      reasons: ["rectification-unanswered"],
    });

    // Item a: answered through the route with an evidence file (multipart, GridFS).
    const cookie = await cookieFor(s.admin.user._id);
    const url = `/t/${s.tenant.slug}/applications/${String(id)}/rectification`;
    const params = { slug: s.tenant.slug, id: String(id) };
    const post = async (fields: Record<string, string>, file?: { name: string; bytes: Buffer }, who = cookie) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      if (file) form.append("files", new File([new Uint8Array(file.bytes)], file.name));
      const request = new Request(new URL(url, "http://localhost:3000"), {
        method: "POST",
        body: form,
        headers: { Cookie: who, "x-sg-client-ip": "127.0.0.1" },
      });
      try {
        const response = await rectificationAction({ request, params, context: {} });
        return { status: response.status, data: (await response.json()) as unknown };
      } catch (thrown) {
        if (thrown instanceof Response) return { status: thrown.status, data: null };
        throw thrown;
      }
    };
    const exe = await post({ intent: "answer", itemId: a, note: "已清理" }, { name: "report.pdf", bytes: SAMPLES.exe });
    expect(exe.status).toBe(400);
    expect(exe.data).toMatchObject({ ok: false, error: expect.stringMatching(/^evidence\.errors\./) });
    expect((await RectificationItem.findOne({ tenantId: s.tenant._id, applicationId: id, itemId: a }).lean())?.status).toBe("open");
    const noNote = await post({ intent: "answer", itemId: a, note: "  " });
    expect(noNote).toMatchObject({ status: 400, data: { error: "rect.errors.noteRequired" } });
    const answered = await post(
      { intent: "answer", itemId: a, note: "消防通道已清理，附整改照片和报告" },
      { name: "整改报告.pdf", bytes: SAMPLES.pdf },
    );
    expect(answered).toMatchObject({ status: 200, data: { ok: true, itemId: a } });
    // A reviewer cannot answer for the enterprise.
    const byReviewer = await post({ intent: "answer", itemId: b, note: "x" }, undefined, await cookieFor(s.reviewer1.user._id));
    expect(byReviewer.status).toBe(403);

    // Item b: answered by the data function; then the enterprise submits.
    expect(
      await answerRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: b, member: s.m.admin, note: "已补充台账" }),
    ).toMatchObject({ ok: true, status: "answered" });
    await ok(await send(s, id, s.m.admin, { type: "SUBMIT_RECTIFICATION" }, at(4)));

    // The file downloads for the enterprise and the reviewers, not for another tenant's user.
    const stored = await RectificationItem.findOne({ tenantId: s.tenant._id, applicationId: id, itemId: a }).lean();
    const fileId = String(stored?.files[0]?.fileId);
    expect(stored?.files[0]).toMatchObject({ name: "整改报告.pdf", contentType: "application/pdf" });
    const fileUrl = `${url}/${fileId}`;
    const fileParams = { ...params, fileId };
    const download = await callLoader(rectificationFileLoader, fileUrl, fileParams, { cookie });
    expect(download.status).toBe(200);
    expect(String(download.data)).toContain("%PDF-1.4");
    // The orphan purge keeps files a rectification item refers to.
    await purgeOrphanEvidence({ olderThan: new Date(Date.now() + 60_000) });
    expect((await callLoader(rectificationFileLoader, fileUrl, fileParams, { cookie })).status).toBe(200);
    const stranger = await setup();
    const foreign = await callLoader(rectificationFileLoader, `/t/${stranger.tenant.slug}/applications/${String(id)}/rectification/${fileId}`, { slug: stranger.tenant.slug, id: String(id), fileId }, { cookie: await cookieFor(stranger.regulator.user._id) });
    expect(foreign.status).toBe(404);

    // The review cannot be reported while an item is neither accepted nor left open.
    expect(
      await send(s, id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, at(4)),
    ).toMatchObject({ ok: false, reasons: ["rectification-unresolved"] });
    expect(
      await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: a, member: s.m.admin, decision: "accept" }),
    ).toMatchObject({ ok: false, error: "forbidden" });
    expect(
      await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: b, member: s.m.reviewer1, decision: "reopen" }),
    ).toMatchObject({ ok: false, error: "noteRequired" });
    await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: a, member: s.m.reviewer1, decision: "accept", now: at(5) });
    await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: b, member: s.m.reviewer1, decision: "reopen", note: "台账缺少签字", now: at(5) });
    expect(
      await send(s, id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, at(5)),
    ).toMatchObject({ ok: false, reasons: ["rectification-unresolved"] });

    // A second round asks again for the re-opened item only, with a new deadline.
    await ok(await send(s, id, s.m.reviewer1, { type: "REQUEST_RECTIFICATION", reason: "补充签字", days: 5, itemIds: [] }, at(6)));
    const reopened = await RectificationItem.findOne({ tenantId: s.tenant._id, applicationId: id, itemId: b }).lean();
    expect(reopened).toMatchObject({ status: "reopened", round: 2, requestNote: "补充签字" });
    expect(reopened?.deadline.toISOString()).toBe((await reload(s, id)).deadlines?.rectifyBy?.toISOString());
    expect(await send(s, id, s.m.admin, { type: "SUBMIT_RECTIFICATION" }, at(7))).toMatchObject({
      ok: false,
      reasons: ["rectification-unanswered"],
    });
    await answerRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: b, member: s.m.admin, note: "已补签字", now: at(7) });
    await ok(await send(s, id, s.m.admin, { type: "SUBMIT_RECTIFICATION" }, at(7)));
    await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: b, member: s.m.reviewer1, decision: "accept", now: at(8) });
    await ok(await send(s, id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, at(8)));

    const summary = await rectificationSummary(s.tenant._id, id);
    expect(summary.map((r) => ({ itemId: r.itemId, status: r.status, fileCount: r.fileCount, closed: r.closedAt !== null }))).toEqual(
      [
        { itemId: a, status: "accepted", fileCount: 1, closed: true },
        { itemId: b, status: "accepted", fileCount: 0, closed: true },
      ].sort((x, y) => (x.itemId < y.itemId ? -1 : 1)),
    );
    expect(summary.find((r) => r.itemId === b)).toMatchObject({ note: "已补签字", answeredAt: at(7) });
    const actions = (await AuditEvent.find({ tenantId: s.tenant._id, action: /^rectification\./ }).lean()).map((e) => e.action).sort();
    expect(actions).toEqual(["rectification.accept", "rectification.accept", "rectification.answer", "rectification.answer", "rectification.answer", "rectification.reopen"]);
  });

  it("an unanswered item is left open with a reason after the deadline, and the report shows it", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    const id = app._id;
    await toUnderReview(s, id, s.m.regulator);
    const [a] = await deduct(s, id, 1);
    if (!a) throw new Error("no item");
    await ok(await send(s, id, s.m.reviewer1, { type: "REQUEST_RECTIFICATION", reason: "整改", days: 3, itemIds: [a] }, days(2)));
    const rectifyBy = (await reload(s, id)).deadlines?.rectifyBy;
    if (!rectifyBy) throw new Error("no rectifyBy");
    const late = new Date(rectifyBy.getTime() + 1);
    expect(
      await send(s, id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: null, reason: "未按期整改" }, late),
    ).toMatchObject({ ok: false, reasons: ["rectification-unresolved"] });
    expect(
      await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: a, member: s.m.reviewer1, decision: "leaveOpen", note: "" }),
    ).toMatchObject({ ok: false, error: "noteRequired" });
    await decideRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: a, member: s.m.reviewer1, decision: "leaveOpen", note: "逾期未整改", now: late });
    // Left open: the enterprise can no longer answer it.
    expect(
      await answerRectificationItem({ tenantId: s.tenant._id, applicationId: id, itemId: a, member: s.m.admin, note: "晚了" }),
    ).toMatchObject({ ok: false, error: "notEditable" });
    await ok(await send(s, id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: null, reason: "未按期整改" }, late));
    expect(await rectificationSummary(s.tenant._id, String(id))).toEqual([
      expect.objectContaining({ itemId: a, status: "open", leftOpenReason: "逾期未整改", answeredAt: null, closedAt: null }),
    ]);
    // The review report lists it, not closed, with the reviewer's reason.
    const report = await loadReviewReportData({ tenantId: s.tenant._id, id: String(id), member: s.m.regulator, locale: "zh-CN" });
    if (!report.ok) throw new Error("report data refused");
    expect(report.data.rectifications).toEqual([
      expect.objectContaining({ itemId: a, closedAt: null, note: "逾期未整改" }),
    ]);
    expect(report.data.rectifications[0]?.requirement.length).toBeGreaterThan(0);
  });
});

describe("objections are verified (异议核实)", () => {
  /** Notice from Fri 2026-03-06: 5 working days → ends Fri 03-13. */
  async function toNotice(s: Setup): Promise<Types.ObjectId> {
    const app = await readyApplication(s);
    await toUnderReview(s, app._id, s.m.regulator);
    await completeSheet(s, app._id);
    await ok(await send(s, app._id, s.m.reviewer1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(2)));
    await ok(await send(s, app._id, s.m.regulator, { type: "APPROVE" }, days(3)));
    await ok(await send(s, app._id, s.m.regulator, { type: "START_NOTICE" }, days(4)));
    expect((await reload(s, app._id)).deadlines?.noticeEndsAt).toEqual(endOf("2026-03-13"));
    return app._id;
  }
  const object = (s: Setup, id: Types.ObjectId, now: Date) =>
    submitObjection({
      tenantId: s.tenant._id,
      applicationId: String(id),
      name: "李四",
      contact: "lisi-13900001111@example.com",
      statement: "该企业存在未整改的重大隐患",
      ip: "10.1.2.3",
      now,
    });

  it("upheld: back to review with the reason recorded", async () => {
    const s = await setup();
    const id = await toNotice(s);
    expect(await object(s, id, days(9))).toMatchObject({ ok: true, state: "publicNotice.verifyingObjection" });
    expect((await reload(s, id)).deadlines?.noticeEndsAt).toBeUndefined();
    // Paused: the scheduler does not end it, whatever the date.
    expect((await runGradingDeadlines({ now: days(40) })).noticesEnded).toBe(0);
    expect(
      await send(s, id, s.m.regulator, { type: "UPHOLD_OBJECTION", reason: " " }, days(10)),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await send(s, id, s.m.admin, { type: "UPHOLD_OBJECTION", reason: "x" }, days(10)),
    ).toMatchObject({ ok: false, status: 403 });
    const upheld = await ok(
      await send(s, id, s.m.regulator, { type: "UPHOLD_OBJECTION", reason: "经核实隐患属实" }, days(10)),
    );
    expect(upheld.state).toBe("underReview.reviewing");
    const doc = await reload(s, id);
    expect(doc.history.at(-1)).toMatchObject({ event: "UPHOLD_OBJECTION", actorRole: "regulator", reason: "经核实隐患属实" });
    expect(doc.review?.report).toBeTruthy();
    expect(await mailsTo(s, "objection-upheld")).toEqual(
      [s.admin.user.email, s.reviewer1.user.email, s.reviewer2.user.email].sort(),
    );
  });

  it("dismissed: the notice continues with the working days already run, or restarts when chosen", async () => {
    const s = await setup();
    const id = await toNotice(s);
    // Objection Wed 03-11: Mon 03-09 and Tue 03-10 ran (the objection day does not count).
    await object(s, id, new Date("2026-03-11T03:00:00.000Z"));
    const dismissed = await ok(
      await send(s, id, s.m.regulator, { type: "DISMISS_OBJECTION", reason: "经核实不属实", restartNotice: false }, new Date("2026-03-16T02:00:00.000Z")),
    );
    expect(dismissed.state).toBe("publicNotice.running");
    // 3 days left after Mon 03-16: Tue, Wed, Thu.
    expect((await reload(s, id)).deadlines?.noticeEndsAt).toEqual(endOf("2026-03-19"));
    expect((await reload(s, id)).history.at(-1)).toMatchObject({
      event: "DISMISS_OBJECTION",
      reason: "经核实不属实",
      details: { restartNotice: false, noticeDaysElapsed: 2 },
    });
    expect(await mailsTo(s, "objection-dismissed")).toEqual([s.admin.user.email]);
    expect((await runGradingDeadlines({ now: new Date("2026-03-19T04:00:00.000Z") })).noticesEnded).toBe(0);
    expect((await runGradingDeadlines({ now: new Date("2026-03-19T16:00:00.000Z") })).noticesEnded).toBe(1);

    // Restarted: the full five working days from the dismissal (Mon 03-16 → Mon 03-23).
    const s2 = await setup();
    const id2 = await toNotice(s2);
    await object(s2, id2, new Date("2026-03-11T03:00:00.000Z"));
    await ok(
      await send(s2, id2, s2.m.regulator, { type: "DISMISS_OBJECTION", reason: "不属实，但公示重新计算", restartNotice: true }, new Date("2026-03-16T02:00:00.000Z")),
    );
    expect((await reload(s2, id2)).deadlines?.noticeEndsAt).toEqual(endOf("2026-03-23"));
  });

  it("the application page's forms: dismissal with the restart box, a blank finding refused next to the field", async () => {
    const s = await setup();
    const id = await toNotice(s);
    await object(s, id, new Date("2026-03-11T03:00:00.000Z"));
    const cookie = await cookieFor(s.regulator.user._id);
    const url = `/t/${s.tenant.slug}/applications/${String(id)}`;
    const params = { slug: s.tenant.slug, id: String(id) };
    const version = String((await reload(s, id)).version);
    const blank = await callAction(applicationAction, url, params, {
      cookie,
      form: { intent: "DISMISS_OBJECTION", version, reason: "  ", restartNotice: "true" },
    });
    expect(blank.status).toBe(400);
    expect(blank.data).toMatchObject({ ok: false, errors: { reason: "errors.reasonRequired" } });
    expect((await reload(s, id)).state).toBe("publicNotice.verifyingObjection");
    const done = await callAction(applicationAction, url, params, {
      cookie,
      form: { intent: "DISMISS_OBJECTION", version, reason: "不属实", restartNotice: "true" },
    });
    expect(done).toMatchObject({ status: 200, data: { ok: true } });
    const doc = await reload(s, id);
    expect(doc.state).toBe("publicNotice.running");
    expect(doc.history.at(-1)?.details).toMatchObject({ restartNotice: true, noticeDaysElapsed: 0 });
  });

  it("the objector's contact is the authority's only: not on enterprise or organizer pages, mails or the public notice", async () => {
    const s = await setup();
    const id = await toNotice(s);
    await object(s, id, days(9));
    const contact = "lisi-13900001111@example.com";

    const asEnterprise = await callLoader(applicationLoader, `/t/${s.tenant.slug}/applications/${String(id)}`, { slug: s.tenant.slug, id: String(id) }, { cookie: await cookieFor(s.admin.user._id) });
    expect(asEnterprise.status).toBe(200);
    expect(JSON.stringify(asEnterprise.data)).not.toContain(contact);
    expect(JSON.stringify(asEnterprise.data)).not.toContain("李四");
    const asOrganizer = await getApplicationPage({ tenantId: s.tenant._id, id: String(id), member: s.m.organizer });
    expect(asOrganizer?.objections).toEqual([]);
    const asRegulator = await getApplicationPage({ tenantId: s.tenant._id, id: String(id), member: s.m.regulator });
    expect(asRegulator?.objections).toEqual([expect.objectContaining({ name: "李四", contact })]);
    // Offered to the regulator: uphold or dismiss.
    expect(asRegulator?.actions.map((a) => a.type)).toEqual(
      expect.arrayContaining(["UPHOLD_OBJECTION", "DISMISS_OBJECTION"]),
    );

    const mails = await OutboxMessage.find({ tenantId: s.tenant._id, template: "objection-received" }).lean();
    expect(mails.map((m) => m.to)).toContain(s.admin.user.email);
    expect(JSON.stringify(mails)).not.toContain(contact);
    const notices = await callLoader(noticesLoader, `/t/${s.tenant.slug}/notices`, { slug: s.tenant.slug });
    expect(JSON.stringify(notices.data)).not.toContain(contact);
  });
});
