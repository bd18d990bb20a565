/**
 * The grading workflow on the real database: persistence and history of a full path, the
 * compare-and-set under concurrent events, authorisation, validation, tenant isolation, editing
 * after a return, the deadlines job with concurrent runners, objections and old snapshots.
 */
import { type Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import { Enterprise } from "../../models/enterprise";
import { Tenant } from "../../models/tenant";
import { OutboxMessage } from "../../models/outbox-message";
import { saveAnswers, startAssessment } from "~/data/assessments.server";
import { applyApplicationEvent, runGradingDeadlines, submitObjection, OBJECTION_LIMIT } from "~/data/grading.server";
import { getApplicationPage } from "~/data/grading-views.server";
import { importRubricFiles } from "~/data/rubrics.server";
import {
  loader as applicationLoader,
  action as applicationAction,
} from "~/routes/t.$slug.applications.$id";
import { loader as applicationsLoader } from "~/routes/t.$slug.applications._index";
import { loader as noticesLoader, action as noticesAction } from "~/routes/t.$slug.notices";
import { loader as diagramLoader } from "~/routes/t.$slug.admin.workflow";
import { action as saveAction } from "~/routes/t.$slug.assessments.$id.save";
import {
  cookieFor,
  createEnterprise,
  createMember,
  createReviewBody,
  createTenant,
} from "../factories";
import { callAction, callLoader } from "../route-helpers";
import { completeReviewSheet } from "../review-sheet";
import { days, expectOk, memberOf, readyApplication, reload, send, T0 } from "../grading-fixtures";

beforeEach(async () => {
  const report = await importRubricFiles();
  expect(report.errors).toEqual([]);
});

/** A tenant, a micro enterprise (small/micro rubric: one level "qualified" ≥ 60), its admin, two regulators, three reviewers. */
async function setup(options: { medium?: boolean } = {}) {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(
    tenant._id,
    options.medium
      ? { industry: "machinery", sizeClass: "medium" }
      : { industry: "light", sizeClass: "micro" },
  );
  const admin = await createMember(tenant._id, "enterprise_admin", {
    enterpriseId: enterprise._id,
  });
  const regulator = await createMember(tenant._id, "regulator");
  const regulator2 = await createMember(tenant._id, "regulator");
  const reviewer1 = await createMember(tenant._id, "reviewer");
  const reviewer2 = await createMember(tenant._id, "reviewer");
  const reviewer3 = await createMember(tenant._id, "reviewer");
  // The review body (评审单位) whose experts are the three reviewers (Step 10).
  const { body, admin: bodyAdmin } = await createReviewBody(tenant._id, [
    reviewer1.user._id,
    reviewer2.user._id,
    reviewer3.user._id,
  ]);
  const m = {
    admin: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id),
    regulator: memberOf(tenant._id, regulator.user, "regulator"),
    reviewer1: memberOf(tenant._id, reviewer1.user, "reviewer"),
    reviewer2: memberOf(tenant._id, reviewer2.user, "reviewer"),
    reviewer3: memberOf(tenant._id, reviewer3.user, "reviewer"),
    bodyAdmin: memberOf(tenant._id, bodyAdmin.user, "review_body_admin"),
  };
  return { tenant, enterprise, admin, regulator, regulator2, reviewer1, reviewer2, reviewer3, body, m };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** The regulator assigns the review body; its admin forms the panel reviewer1 (lead) + reviewer2. */
async function assignPanel(s: Setup, id: Types.ObjectId, now?: Date) {
  await expectOk(
    await send(s, id, s.m.regulator, { type: "ASSIGN_REVIEW_BODY", reviewBodyId: String(s.body._id) }, now),
  );
  const panel = [String(s.reviewer1.user._id), String(s.reviewer2.user._id)];
  await expectOk(
    await send(s, id, s.m.bodyAdmin, { type: "ASSIGN_REVIEWERS", reviewerIds: panel, leadReviewerId: panel[0] ?? "" }, now),
  );
}


/** Takes an application from submission to "approved", as the e2e test does through the UI. */
async function toApproved(s: Setup, id: Types.ObjectId) {
  await expectOk(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
  await expectOk(await send(s, id, s.m.regulator, { type: "ACCEPT" }, days(1)));
  await assignPanel(s, id, days(1));
  await expectOk(await send(s, id, s.m.reviewer1, { type: "START_REVIEW" }, days(2)));
  await completeReviewSheet({
    tenantId: s.tenant._id,
    id,
    scorer: s.m.reviewer1,
    members: [s.m.reviewer1, s.m.reviewer2],
    now: days(2),
  });
  await expectOk(
    await send(
      s,
      id,
      s.m.reviewer1,
      { type: "REPORT_REVIEW", recommendedLevel: "qualified" },
      days(3),
    ),
  );
  await expectOk(await send(s, id, s.m.regulator, { type: "APPROVE" }, days(3)));
}

describe("applying workflow events", () => {
  it("persists a full path with one history entry per step, effects, lock and the certificate marker", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    const id = app._id;
    const startHistory = app.history.length;

    const submitted = await expectOk(
      await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0),
    );
    expect(submitted).toMatchObject({
      state: "submitted",
      from: "draft.editing",
      stateKey: "submitted",
    });
    let doc = await reload(s, id);
    expect(doc.state).toBe("submitted");
    expect(doc.appliedLevel).toBe("qualified");
    expect(doc.version).toBe(app.version + 1);
    expect(doc.workflow).toMatchObject({
      value: "submitted",
      context: { machineVersion: 1, appliedLevel: "qualified" },
    });
    // Acceptance deadline: 5 working days after Monday 2 March = Monday 9 March, end of day Shanghai.
    expect(doc.deadlines?.acceptBy?.toISOString()).toBe("2026-03-09T15:59:59.999Z");
    expect(doc.effects?.at(-1)).toMatchObject({ version: doc.version, event: "SUBMIT" });
    expect(
      (await Enterprise.findOne({ tenantId: s.tenant._id, _id: s.enterprise._id }).lean())
        ?.lockedReason,
    ).toBe(String(id));
    // The regulators were told, once each, with deterministic keys.
    const submittedMails = await OutboxMessage.find({
      tenantId: s.tenant._id,
      template: "application-submitted",
    }).lean();
    expect(submittedMails.map((m) => m.to).sort()).toEqual(
      [s.regulator.user.email, s.regulator2.user.email].sort(),
    );
    expect(
      submittedMails.every((m) => m.idempotencyKey.startsWith(`${String(id)}:v${doc.version}:`)),
    ).toBe(true);

    await toApprovedFromSubmitted(s, id);
    await expectOk(await send(s, id, s.m.regulator, { type: "START_NOTICE" }, days(4)));
    doc = await reload(s, id);
    expect(doc.state).toBe("publicNotice.running");
    expect(doc.deadlines?.noticeEndsAt).toBeInstanceOf(Date);

    // Certification waits for the end of the notice, which only the system (the job) can declare.
    const early = await send(s, id, s.m.regulator, { type: "CERTIFY" }, days(5));
    expect(early).toMatchObject({
      ok: false,
      status: 409,
      error: "blocked",
      reasons: ["invalid-in-state"],
    });
    const run = await runGradingDeadlines({ now: days(20) });
    expect(run.noticesEnded).toBe(1);
    await expectOk(await send(s, id, s.m.regulator, { type: "CERTIFY" }, days(21)));

    doc = await reload(s, id);
    expect(doc.state).toBe("certified");
    expect(doc.pendingCertificate).toMatchObject({
      level: "qualified",
      appliedLevel: "qualified",
      lowerLevel: false,
      version: doc.version,
    });
    expect(
      (await Enterprise.findOne({ tenantId: s.tenant._id, _id: s.enterprise._id }).lean())
        ?.lockedReason,
    ).toBeNull();
    const steps = doc.history.slice(startHistory);
    expect(steps.map((h) => h.event)).toEqual([
      "SUBMIT",
      "ACCEPT",
      "ASSIGN_REVIEW_BODY",
      "ASSIGN_REVIEWERS",
      "START_REVIEW",
      "REPORT_REVIEW",
      "APPROVE",
      "START_NOTICE",
      "NOTICE_ENDED",
      "CERTIFY",
    ]);
    expect(steps.map((h) => `${h.from}>${h.to}`)).toEqual([
      "draft.editing>submitted",
      "submitted>accepted",
      "accepted>reviewBodyAssigned",
      "reviewBodyAssigned>reviewAssigned",
      "reviewAssigned>underReview.reviewing",
      "underReview.reviewing>reviewReported.pendingApproval",
      "reviewReported.pendingApproval>approved",
      "approved>publicNotice.running",
      "publicNotice.running>publicNotice.ended",
      "publicNotice.ended>certified",
    ]);
    expect(steps.find((h) => h.event === "NOTICE_ENDED")).toMatchObject({
      actorRole: "system",
      actorId: null,
    });
    expect(String(steps.find((h) => h.event === "START_REVIEW")?.actorId)).toBe(
      String(s.reviewer1.user._id),
    );
    expect(
      await OutboxMessage.countDocuments({
        tenantId: s.tenant._id,
        template: "application-certified",
      }),
    ).toBe(1);

    // The page shows every step; the enterprise sees "certified".
    const cookie = await cookieFor(s.admin.user._id);
    const page = await callLoader(
      applicationLoader,
      `/t/${s.tenant.slug}/applications/${String(id)}`,
      { slug: s.tenant.slug, id: String(id) },
      { cookie },
    );
    expect(page.status).toBe(200);
    const data = page.data as {
      page: { stateKey: string; history: unknown[]; certification: unknown; actions: unknown[] };
    };
    expect(data.page.stateKey).toBe("certified");
    expect(data.page.history).toHaveLength(doc.history.length);
    expect(data.page.certification).toMatchObject({ level: "qualified", lowerLevel: false });
    expect(data.page.actions).toEqual([]);
  });

  it("lets exactly one of 10 concurrent events at the same version win; the others get a conflict", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    await expectOk(
      await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0),
    );
    const before = await reload(s, app._id);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        applyApplicationEvent({
          tenantId: s.tenant._id,
          applicationId: app._id,
          event: i % 2 === 0 ? { type: "ACCEPT" } : { type: "RETURN", reason: `材料不全 ${i}` },
          actor: { kind: "member", member: s.m.regulator },
          expectedVersion: before.version,
          now: days(1),
        }),
      ),
    );
    const winners = results.filter((r) => r.ok);
    const losers = results.filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(9);
    for (const r of losers)
      expect(r).toMatchObject({
        ok: false,
        status: 409,
        error: "conflict",
        message: "errors.conflict",
      });
    const after = await reload(s, app._id);
    expect(after.version).toBe(before.version + 1);
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.effects).toHaveLength((before.effects ?? []).length + 1);
    const entry = after.history.at(-1);
    expect(["ACCEPT", "RETURN"]).toContain(entry?.event);
    expect(after.state).toBe(entry?.event === "ACCEPT" ? "accepted" : "draft");
  });

  it("refuses the wrong role (403), an unassigned reviewer (404), another tenant (404) and a blank reason (400)", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    const id = app._id;
    expect(
      await send(s, id, s.m.regulator, { type: "SUBMIT", appliedLevel: "qualified" }),
    ).toMatchObject({ ok: false, status: 403 });
    await expectOk(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    expect(await send(s, id, s.m.admin, { type: "ACCEPT" })).toMatchObject({
      ok: false,
      status: 403,
      error: "forbidden",
    });
    expect(await send(s, id, s.m.reviewer1, { type: "ACCEPT" })).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(await send(s, id, s.m.regulator, { type: "RETURN", reason: "   " })).toMatchObject({
      ok: false,
      status: 400,
      error: "invalid",
      fieldErrors: { reason: "errors.reasonRequired" },
    });

    // Another tenant's regulator cannot even tell the application exists.
    const other = await createTenant();
    const outsider = await createMember(other._id, "regulator");
    const foreign = await applyApplicationEvent({
      tenantId: other._id,
      applicationId: id,
      event: { type: "ACCEPT" },
      actor: { kind: "member", member: memberOf(other._id, outsider.user, "regulator") },
    });
    expect(foreign).toMatchObject({ ok: false, status: 404 });
    const cookie = await cookieFor(outsider.user._id);
    const page = await callLoader(
      applicationLoader,
      `/t/${other.slug}/applications/${String(id)}`,
      { slug: other.slug, id: String(id) },
      { cookie },
    );
    expect(page.status).toBe(404);
    const sameTenantWrongSlug = await callLoader(
      applicationLoader,
      `/t/${s.tenant.slug}/applications/${String(id)}`,
      { slug: s.tenant.slug, id: String(id) },
      { cookie },
    );
    expect(sameTenantWrongSlug.status).not.toBe(200);

    // Through the page: the same rules, as HTTP statuses.
    const regCookie = await cookieFor(s.regulator.user._id);
    const url = `/t/${s.tenant.slug}/applications/${String(id)}`;
    const params = { slug: s.tenant.slug, id: String(id) };
    const blank = await callAction(applicationAction, url, params, {
      cookie: regCookie,
      form: { intent: "RETURN", reason: " ", version: "0" },
    });
    expect(blank.status).toBe(400);
    expect(blank.data).toMatchObject({
      ok: false,
      intent: "RETURN",
      errors: { reason: "errors.reasonRequired" },
    });
    const entCookie = await cookieFor(s.admin.user._id);
    const wrongRole = await callAction(applicationAction, url, params, {
      cookie: entCookie,
      form: { intent: "ACCEPT" },
    });
    expect(wrongRole.status).toBe(403);
    const stale = await callAction(applicationAction, url, params, {
      cookie: regCookie,
      form: { intent: "ACCEPT", version: "0" },
    });
    expect(stale.status).toBe(409);
    expect(stale.data).toMatchObject({ ok: false, errors: { _form: "errors.conflict" } });
  });

  it("refuses a submission the facts do not support, with translated reasons (422)", async () => {
    const s = await setup();
    const started = await startAssessment({
      tenantId: s.tenant._id,
      enterpriseId: s.enterprise._id,
      actor: { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" },
      cycle: "2026",
    });
    if (!started.ok) throw new Error(started.error);
    const result = await send(s, started.assessment._id, s.m.admin, {
      type: "SUBMIT",
      appliedLevel: "qualified",
    });
    expect(result).toMatchObject({ ok: false, status: 422, error: "blocked" });
    if (result.ok || result.error !== "blocked") throw new Error("expected blocked");
    expect(result.reasons).toEqual(
      expect.arrayContaining(["score-below-threshold", "evidence-missing"]),
    );
    expect(result.messages).toContain("workflow.block.evidence-missing");
    // A level the authority does not grant is a field error.
    expect(
      await send(s, started.assessment._id, s.m.admin, { type: "SUBMIT", appliedLevel: "level1" }),
    ).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { appliedLevel: "workflow.errors.levelNotOffered" },
    });
    const doc = await reload(s, started.assessment._id);
    expect(doc.state).toBe("draft");
    expect(doc.workflow).toBeNull();
  });

  it("refuses a submission with an unanswered applicable item and names it with a link (422)", async () => {
    const s = await setup();
    const doc = await readyApplication(s);
    const [first] = doc.answers;
    if (!first) throw new Error("no answers");
    const cleared = await saveAnswers({
      tenantId: s.tenant._id,
      id: doc._id,
      expectedVersion: doc.version,
      actor: { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" },
      changes: [{ itemId: first.itemId, answer: null }],
    });
    if (!cleared.ok) throw new Error(`save failed: ${cleared.error}`);
    const result = await send(s, doc._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" });
    expect(result).toMatchObject({ ok: false, status: 422, error: "blocked" });
    if (result.ok || result.error !== "blocked") throw new Error("expected blocked");
    expect(result.reasons).toEqual(["assessment-incomplete"]);
    expect(result.messages).toEqual(["workflow.block.assessment-incomplete"]);
    expect((await reload(s, doc._id)).state).toBe("draft");

    const page = await getApplicationPage({
      tenantId: s.tenant._id,
      id: String(doc._id),
      member: s.m.admin,
    });
    expect(page?.facts).toMatchObject({ unansweredCount: 1 });
    expect(page?.facts?.unanswered).toEqual([
      { itemId: first.itemId, elementId: expect.stringMatching(/\S/) },
    ]);
    expect(page?.offeredLevels.find((l) => l.key === "qualified")?.blocked).toContain(
      "assessment-incomplete",
    );

    // Answered again, the same application goes through.
    const again = await saveAnswers({
      tenantId: s.tenant._id,
      id: doc._id,
      expectedVersion: cleared.version,
      actor: { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" },
      changes: [{ itemId: first.itemId, answer: { choice: "full" } }],
    });
    if (!again.ok) throw new Error(`save failed: ${again.error}`);
    await expectOk(await send(s, doc._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
  });

  it("refuses answer edits while submitted and allows them again after a return, on the same application", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    const id = app._id;
    const actor = { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" };
    await expectOk(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    let doc = await reload(s, id);
    const locked = await saveAnswers({
      tenantId: s.tenant._id,
      id,
      expectedVersion: doc.version,
      actor,
      changes: [{ itemId: doc.answers[0]?.itemId ?? "", answer: { choice: "none" } }],
    });
    expect(locked).toMatchObject({ ok: false, error: "locked", state: "submitted" });
    const cookie = await cookieFor(s.admin.user._id);
    const viaRoute = await callAction(
      saveAction,
      `/t/${s.tenant.slug}/assessments/${String(id)}/save`,
      { slug: s.tenant.slug, id: String(id) },
      {
        cookie,
        form: {
          intent: "save",
          version: String(doc.version),
          changes: JSON.stringify([{ itemId: doc.answers[0]?.itemId, answer: { choice: "none" } }]),
          performance: "[]",
        },
      },
    );
    expect(viaRoute.status).toBe(409);

    await expectOk(
      await send(
        s,
        id,
        s.m.regulator,
        { type: "RETURN", reason: "第 3 项证据不清晰，请重新上传" },
        days(1),
      ),
    );
    doc = await reload(s, id);
    expect(doc.state).toBe("draft");
    expect(doc.workflow).toMatchObject({ value: { draft: "returned" } });
    expect(
      (await Enterprise.findOne({ tenantId: s.tenant._id, _id: s.enterprise._id }).lean())
        ?.lockedReason,
    ).toBeNull();
    const edited = await saveAnswers({
      tenantId: s.tenant._id,
      id,
      expectedVersion: doc.version,
      actor,
      changes: [
        {
          itemId: doc.answers[0]?.itemId ?? "",
          answer: { choice: "full", note: "已补充清晰的证据" },
        },
      ],
    });
    expect(edited.ok).toBe(true);

    // Resubmission continues the same record, history included.
    doc = await reload(s, id);
    await expectOk(
      await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, days(2)),
    );
    const after = await reload(s, id);
    expect(String(after._id)).toBe(String(id));
    expect(after.history.map((h) => h.event)).toEqual(["started", "SUBMIT", "RETURN", "SUBMIT"]);
    expect(after.history[2]?.reason).toBe("第 3 项证据不清晰，请重新上传");
    expect(
      await Assessment.countDocuments({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id }),
    ).toBe(1);

    // The enterprise's page shows the return reason in the timeline.
    const returnedPage = await callLoader(
      applicationLoader,
      `/t/${s.tenant.slug}/applications/${String(id)}`,
      { slug: s.tenant.slug, id: String(id) },
      { cookie },
    );
    const history = (
      returnedPage.data as { page: { history: Array<{ event: string; reason: string | null }> } }
    ).page.history;
    expect(history.find((h) => h.event === "RETURN")?.reason).toBe("第 3 项证据不清晰，请重新上传");
  });

  it("refuses a snapshot written by another machine version with a clear error", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    await expectOk(
      await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0),
    );
    await Assessment.updateOne(
      { tenantId: s.tenant._id, _id: app._id },
      { $set: { "workflow.context.machineVersion": 0 } },
    );
    expect(await send(s, app._id, s.m.regulator, { type: "ACCEPT" })).toEqual({
      ok: false,
      status: 409,
      error: "outdated",
      message: "workflow.errors.outdated",
    });
    const cookie = await cookieFor(s.regulator.user._id);
    const page = await callLoader(
      applicationLoader,
      `/t/${s.tenant.slug}/applications/${String(app._id)}`,
      { slug: s.tenant.slug, id: String(app._id) },
      { cookie },
    );
    expect(page.status).toBe(200);
    expect(
      (page.data as { page: { workflowError: string; actions: unknown[] } }).page,
    ).toMatchObject({ workflowError: "workflow.errors.outdated", actions: [] });
  });
});

describe("certification at a lower level", () => {
  it("asks the enterprise to consent to the reviewers' lower level, then certifies at that level", async () => {
    // A provincial authority granting 二级 and 三级; the general rubric (level1/2/3).
    const s = await setup({ medium: true });
    await Tenant.updateOne(
      { _id: s.tenant._id },
      { $set: { "settings.grantableLevels": ["level2", "level3"] } },
    );
    const app = await readyApplication(s);
    const id = app._id;
    await expectOk(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel: "level2" }, T0));
    await expectOk(await send(s, id, s.m.regulator, { type: "ACCEPT" }, days(1)));
    await assignPanel(s, id, days(1));
    await expectOk(await send(s, id, s.m.reviewer1, { type: "START_REVIEW" }, days(2)));
    await completeReviewSheet({
      tenantId: s.tenant._id,
      id,
      scorer: s.m.reviewer1,
      members: [s.m.reviewer1, s.m.reviewer2],
      now: days(2),
    });
    expect(
      await send(s, id, s.m.reviewer1, {
        type: "REPORT_REVIEW",
        recommendedLevel: "level1",
        reason: "x",
      }),
    ).toMatchObject({
      ok: false,
      status: 422,
      reasons: ["level-above-applied"],
    });
    await expectOk(
      await send(
        s,
        id,
        s.m.reviewer1,
        { type: "REPORT_REVIEW", recommendedLevel: "level3", reason: "现场隐患排查记录不全" },
        days(3),
      ),
    );
    expect((await reload(s, id)).state).toBe("reviewReported.awaitingConsent");
    // The authority cannot approve before the enterprise agrees.
    expect(await send(s, id, s.m.regulator, { type: "APPROVE" })).toMatchObject({
      ok: false,
      status: 409,
      reasons: ["invalid-in-state"],
    });
    const consentMail = await OutboxMessage.findOne({
      tenantId: s.tenant._id,
      template: "lower-level-consent-requested",
    }).lean();
    expect(consentMail?.to).toBe(s.admin.user.email);
    await expectOk(await send(s, id, s.m.admin, { type: "CONSENT_LOWER_LEVEL" }, days(4)));
    await expectOk(await send(s, id, s.m.regulator, { type: "APPROVE" }, days(4)));
    await expectOk(await send(s, id, s.m.regulator, { type: "START_NOTICE" }, days(4)));
    await runGradingDeadlines({ now: days(20) });
    await expectOk(await send(s, id, s.m.regulator, { type: "CERTIFY" }, days(21)));
    const doc = await reload(s, id);
    expect(doc.state).toBe("certifiedLowerLevel");
    expect(doc.pendingCertificate).toMatchObject({
      level: "level3",
      appliedLevel: "level2",
      lowerLevel: true,
    });
  });
});

describe("the deadlines job", () => {
  it("ends a public notice once with two concurrent runners and writes one message per recipient", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    await toApproved(s, app._id);
    await expectOk(await send(s, app._id, s.m.regulator, { type: "START_NOTICE" }, days(4)));
    const before = await reload(s, app._id);
    const endsAt = before.deadlines?.noticeEndsAt;
    if (!endsAt) throw new Error("no notice end");

    // Before the end: nothing happens.
    expect(
      (await runGradingDeadlines({ now: new Date(endsAt.getTime() - 1000) })).noticesEnded,
    ).toBe(0);
    const moved = new Date(endsAt.getTime() + 60 * 60 * 1000);
    const [a, b] = await Promise.all([
      runGradingDeadlines({ now: moved }),
      runGradingDeadlines({ now: moved }),
    ]);
    expect(a.noticesEnded + b.noticesEnded).toBe(1);
    const after = await reload(s, app._id);
    expect(after.state).toBe("publicNotice.ended");
    expect(after.version).toBe(before.version + 1);
    expect(after.history.filter((h) => h.event === "NOTICE_ENDED")).toHaveLength(1);
    const mails = await OutboxMessage.find({
      tenantId: s.tenant._id,
      template: "public-notice-ended",
    }).lean();
    expect(mails.map((m) => m.to).sort()).toEqual(
      [s.regulator.user.email, s.regulator2.user.email].sort(),
    );

    // Running again (later, or again at the same moment) changes nothing.
    await Promise.all([
      runGradingDeadlines({ now: moved }),
      runGradingDeadlines({ now: new Date(moved.getTime() + 3_600_000) }),
    ]);
    expect((await reload(s, app._id)).version).toBe(after.version);
    expect(
      await OutboxMessage.countDocuments({
        tenantId: s.tenant._id,
        template: "public-notice-ended",
      }),
    ).toBe(2);
  });

  it("reminds the reviewers of an approaching review deadline once per day", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    await expectOk(
      await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0),
    );
    await expectOk(await send(s, app._id, s.m.regulator, { type: "ACCEPT" }, days(1)));
    await assignPanel(s, app._id, days(1));
    await expectOk(await send(s, app._id, s.m.reviewer1, { type: "START_REVIEW" }, days(2)));
    const reviewBy = (await reload(s, app._id)).deadlines?.reviewBy;
    if (!reviewBy) throw new Error("no review deadline");
    const reminders = () =>
      OutboxMessage.find({ tenantId: s.tenant._id, template: "deadline-reminder" }).lean();

    await runGradingDeadlines({ now: days(3) });
    expect(await reminders()).toHaveLength(0);
    // Noon (Shanghai) of the day before the deadline.
    const dayBefore = new Date(reviewBy.getTime() - 36 * 60 * 60 * 1000);
    await Promise.all([
      runGradingDeadlines({ now: dayBefore }),
      runGradingDeadlines({ now: dayBefore }),
    ]);
    await runGradingDeadlines({ now: new Date(dayBefore.getTime() + 60_000) });
    const sent = await reminders();
    expect(sent.map((m) => m.to).sort()).toEqual(
      [s.reviewer1.user.email, s.reviewer2.user.email].sort(),
    );
    expect(sent[0]?.data).toMatchObject({ deadline: "reviewBy", dueAt: reviewBy.toISOString() });
  });
});

describe("public notice and objections", () => {
  it("lists the enterprise without login, takes an objection to verification, tells the regulators, and rate limits", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    await toApproved(s, app._id);
    await expectOk(await send(s, app._id, s.m.regulator, { type: "START_NOTICE" }, days(4)));
    const url = `/t/${s.tenant.slug}/notices`;
    const params = { slug: s.tenant.slug };

    const page = await callLoader(noticesLoader, url, params);
    expect(page.status).toBe(200);
    const notices = (
      page.data as { notices: Array<{ id: string; enterpriseName: string; endsAt: string }> }
    ).notices;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ id: String(app._id), enterpriseName: s.enterprise.name });

    const missing = await callAction(noticesAction, url, params, {
      form: { applicationId: String(app._id), name: "", contact: "", statement: "" },
    });
    expect(missing.status).toBe(400);
    expect(missing.data).toMatchObject({
      errors: { name: "errors.required", statement: "errors.reasonRequired" },
    });

    const objected = await callAction(noticesAction, url, params, {
      form: {
        applicationId: String(app._id),
        name: "张三",
        contact: "13800000000",
        statement: "该企业上月发生过一起未报告的事故",
      },
      headers: { "x-sg-client-ip": "10.0.0.7" },
    });
    expect(objected.status).toBe(200);
    const doc = await reload(s, app._id);
    // Step 10: the objection is verified by the authority first (the notice is paused meanwhile).
    expect(doc.state).toBe("publicNotice.verifyingObjection");
    expect(doc.history.at(-1)).toMatchObject({
      event: "OBJECTION",
      actorRole: "public",
      actorId: null,
      reason: "该企业上月发生过一起未报告的事故",
    });
    expect(doc.objections?.[0]).toMatchObject({
      name: "张三",
      contact: "13800000000",
      ip: "10.0.0.7",
    });
    const mails = await OutboxMessage.find({
      tenantId: s.tenant._id,
      template: "objection-received",
    }).lean();
    expect(mails.map((m) => m.to)).toEqual(
      expect.arrayContaining([
        s.regulator.user.email,
        s.regulator2.user.email,
        s.admin.user.email,
      ]),
    );
    expect(mails.map((m) => m.to)).not.toContain(s.reviewer1.user.email);
    expect((await callLoader(noticesLoader, url, params)).data).toMatchObject({ notices: [] });

    // Past the limit the address is turned away before anything is looked up.
    const limited = [];
    for (let i = 0; i < OBJECTION_LIMIT.perIp + 1; i++) {
      limited.push(
        await submitObjection({
          tenantId: s.tenant._id,
          applicationId: String(app._id),
          name: "x",
          contact: "y",
          statement: "z",
          ip: "10.0.0.8",
        }),
      );
    }
    expect(limited.at(-1)).toMatchObject({ ok: false, status: 429 });
  });
});

describe("workspaces", () => {
  it("shows the authority's queues with counts, the enterprise its own, and the diagram", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    await expectOk(
      await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0),
    );
    const regCookie = await cookieFor(s.regulator.user._id);
    const list = await callLoader(
      applicationsLoader,
      `/t/${s.tenant.slug}/applications?queue=acceptance`,
      { slug: s.tenant.slug },
      { cookie: regCookie },
    );
    expect(list.status).toBe(200);
    const data = list.data as {
      kind: string;
      list: {
        counts: Record<string, number>;
        items: Array<{
          id: string;
          deadlines: { acceptBy?: string };
          overdue: Record<string, boolean>;
        }>;
      };
    };
    expect(data.kind).toBe("authority");
    expect(data.list.counts).toMatchObject({ acceptance: 1, returned: 0, done: 0 });
    expect(data.list.items[0]).toMatchObject({
      id: String(app._id),
      deadlines: { acceptBy: "2026-03-09T15:59:59.999Z" },
      overdue: { acceptBy: true },
    });

    const entList = await callLoader(
      applicationsLoader,
      `/t/${s.tenant.slug}/applications`,
      { slug: s.tenant.slug },
      { cookie: await cookieFor(s.admin.user._id) },
    );
    expect(entList.data).toMatchObject({
      kind: "enterprise",
      items: [{ id: String(app._id), state: "submitted" }],
    });

    const reviewerList = await callLoader(
      applicationsLoader,
      `/t/${s.tenant.slug}/applications`,
      { slug: s.tenant.slug },
      { cookie: await cookieFor(s.reviewer1.user._id) },
    );
    expect(reviewerList.status).toBe(403);

    const diagram = await callLoader(
      diagramLoader,
      `/t/${s.tenant.slug}/admin/workflow`,
      { slug: s.tenant.slug },
      { cookie: regCookie },
    );
    expect(diagram.status).toBe(200);
    const d = diagram.data as {
      mermaid: string;
      transitions: Array<{ from: string; event: string; to: string }>;
    };
    expect(d.mermaid).toContain("stateDiagram-v2");
    expect(d.transitions).toEqual(
      expect.arrayContaining([
        {
          from: "submitted",
          event: "RETURN",
          to: "draft.returned",
          guard: null,
          // The organizing unit instead, where the tenant has one (Step 10).
          roles: ["regulator", "organizer"],
        },
        {
          from: "publicNotice.running",
          event: "OBJECTION",
          to: "publicNotice.verifyingObjection",
          guard: null,
          roles: expect.arrayContaining(["public"]),
        },
      ]),
    );
  });

  it("refuses a submission while a revoked certificate bars the enterprise, and accepts it afterwards", async () => {
    const s = await setup();
    const app = await readyApplication(s);
    // Only the fields the block check reads; issuing and revoking are covered in certificates.test.ts.
    await Certificate.collection.insertOne({
      tenantId: s.tenant._id,
      enterpriseId: app.enterpriseId,
      status: "revoked",
      number: "CDAQBZ-2025-00009",
      revokedReason: "瞒报生产安全事故",
      blockedUntil: days(200),
    });
    const refused = await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0);
    expect(refused).toMatchObject({ ok: false, status: 409, error: "blockedAfterRevocation" });
    if (refused.ok || refused.error !== "blockedAfterRevocation") throw new Error("expected a block");
    expect(refused.message).toMatch(/^certificate\.errors\.blockedFromApplying\?number=CDAQBZ-2025-00009&date=\d{4}-\d{2}-\d{2}$/);
    expect((await reload(s, app._id)).state).toBe("draft");
    await expectOk(await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, days(201)));
  });
  it("refuses a new application for reapplyAfterRejectionMonths after a rejection, in the revocation's style", async () => {
    const s = await setup();
    const first = await readyApplication(s);
    await expectOk(await send(s, first._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    await expectOk(
      await send(s, first._id, s.m.regulator, { type: "REJECT", reason: "重大危险源未登记建档" }, days(1)),
    );
    const rejected = await reload(s, first._id);
    expect(rejected.state).toBe("rejected");
    expect(rejected.rejectedAt?.toISOString()).toBe(days(1).toISOString());

    const next = await readyApplication(s, "2027");
    const refused = await send(s, next._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, days(30));
    expect(refused).toMatchObject({ ok: false, status: 409, error: "blockedAfterRejection" });
    if (refused.ok || refused.error !== "blockedAfterRejection") throw new Error("expected a block");
    expect(refused.message).toMatch(/^workflow\.errors\.blockedAfterRejection\?cycle=2026&date=\d{4}-\d{2}-\d{2}$/);
    expect((await reload(s, next._id)).state).toBe("draft");

    // A shorter period set by the tenant applies at once; 12 months is the default.
    await Tenant.updateOne({ _id: s.tenant._id }, { $set: { "settings.reapplyAfterRejectionMonths": 1 } });
    await expectOk(await send(s, next._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, days(40)));
  });

  it("does not block reapplying when the tenant sets reapplyAfterRejectionMonths to 0", async () => {
    const s = await setup();
    await Tenant.updateOne({ _id: s.tenant._id }, { $set: { "settings.reapplyAfterRejectionMonths": 0 } });
    const first = await readyApplication(s);
    await expectOk(await send(s, first._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0));
    await expectOk(await send(s, first._id, s.m.regulator, { type: "REJECT", reason: "材料不实" }, days(1)));
    const next = await readyApplication(s, "2027");
    await expectOk(await send(s, next._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, days(2)));
  });
});

async function toApprovedFromSubmitted(s: Setup, id: Types.ObjectId) {
  await expectOk(await send(s, id, s.m.regulator, { type: "ACCEPT" }, days(1)));
  await assignPanel(s, id, days(1));
  await expectOk(await send(s, id, s.m.reviewer1, { type: "START_REVIEW" }, days(2)));
  await completeReviewSheet({
    tenantId: s.tenant._id,
    id,
    scorer: s.m.reviewer1,
    members: [s.m.reviewer1, s.m.reviewer2],
    now: days(2),
  });
  await expectOk(
    await send(
      s,
      id,
      s.m.reviewer1,
      { type: "REPORT_REVIEW", recommendedLevel: "qualified" },
      days(3),
    ),
  );
  await expectOk(await send(s, id, s.m.regulator, { type: "APPROVE" }, days(3)));
}
