import { Types } from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { RubricVersion } from "../../models/rubric-version";
import {
  confirmCarriedOver,
  getAssessment,
  saveAnswers,
  startAssessment,
  type AssessmentActor,
} from "~/data/assessments.server";
import { importRubricFiles, getRubricVersion } from "~/data/rubrics.server";
import { answerView } from "~/data/assessments.server";
import { scoreSelfAssessment, summaryOf, toScoringAnswers } from "~/lib/assessment/answers";
import type { ItemAnswer, Rubric } from "~/lib/rubric/schema";
import { loader as indexLoader, action as indexAction } from "~/routes/t.$slug.assessments._index";
import { loader as wizardLoader } from "~/routes/t.$slug.assessments.$id";
import { loader as elementLoader } from "~/routes/t.$slug.assessments.$id.$elementId";
import { action as saveAction } from "~/routes/t.$slug.assessments.$id.save";
import { loader as summaryLoader } from "~/routes/t.$slug.assessments.$id.summary";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";
import { callAction, callLoader } from "../route-helpers";

beforeEach(async () => {
  const report = await importRubricFiles();
  expect(report.errors).toEqual([]);
});

type Setup = Awaited<ReturnType<typeof setup>>;

/** A tenant with one small/micro enterprise, its admin and a member, and a regulator. */
async function setup(options: { industry?: "light" | "machinery" | "hazchem"; sizeClass?: "micro" | "medium" | "large" } = {}) {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(tenant._id, { industry: options.industry ?? "light", sizeClass: options.sizeClass ?? "micro" });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const member = await createMember(tenant._id, "enterprise_member", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  const actor = (user: { _id: Types.ObjectId; email: string }): AssessmentActor => ({ id: user._id, email: user.email, role: "enterprise_admin" });
  return { tenant, enterprise, admin, member, regulator, actor };
}

async function started(s: Setup, cycle = "2026") {
  const result = await startAssessment({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, actor: s.actor(s.admin.user), cycle });
  if (!result.ok) throw new Error(`start failed: ${result.error}`);
  return result.assessment;
}

async function rubricOf(assessment: { rubricVersionId: Types.ObjectId; tenantId: Types.ObjectId }): Promise<Rubric> {
  const loaded = await getRubricVersion({ tenantId: assessment.tenantId, id: assessment.rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  return loaded.rubric;
}

function saveForm(version: number, changes: Array<{ itemId: string; answer: unknown }>, performance: unknown[] = []) {
  return { intent: "save", version: String(version), changes: JSON.stringify(changes), performance: JSON.stringify(performance) };
}

async function postSave(s: Setup, id: string, cookie: string, form: Record<string, string>) {
  return callAction(saveAction, `/t/${s.tenant.slug}/assessments/${id}/save`, { slug: s.tenant.slug, id }, { cookie, form });
}

describe("starting a self-assessment", () => {
  it("proposes the rubric that fits the industry and size class, and pins that exact version", async () => {
    const cases = [
      { industry: "light", sizeClass: "micro", key: "small-micro" },
      { industry: "machinery", sizeClass: "medium", key: "general-tier3" },
      { industry: "hazchem", sizeClass: "large", key: "hazchem-tier" },
    ] as const;
    for (const c of cases) {
      const s = await setup({ industry: c.industry, sizeClass: c.sizeClass });
      const cookie = await cookieFor(s.admin.user._id);
      const page = await callLoader(indexLoader, `/t/${s.tenant.slug}/assessments`, { slug: s.tenant.slug }, { cookie });
      expect(page.status).toBe(200);
      const proposed = (page.data as { start: { rubrics: Array<{ id: string; key: string }> } }).start.rubrics;
      expect(proposed[0]?.key).toBe(c.key);

      const res = await callAction(indexAction, `/t/${s.tenant.slug}/assessments`, { slug: s.tenant.slug }, {
        cookie,
        form: { intent: "start", cycle: "2026", rubricVersionId: proposed[0]?.id ?? "" },
      });
      expect(res.status).toBe(302);
      const id = res.location?.split("/").pop() ?? "";
      const doc = await getAssessment({ tenantId: s.tenant._id, id });
      // The newest shipped version is proposed (hazchem-tier@2025.2 makes two vetoes "ineligible").
      const version = await RubricVersion.findOne({ tenantId: null, key: c.key }).sort({ version: -1 }).lean();
      if (c.key === "hazchem-tier") expect(version?.version).toBe("2025.2");
      expect(doc?.rubricVersionId.equals(version?._id ?? new Types.ObjectId())).toBe(true);
      expect(doc?.rubricKey).toBe(c.key);
      expect(doc?.rubricVersion).toBe(version?.version);
      expect(doc?.state).toBe("draft");
      expect(doc?.version).toBe(0);
      expect(doc?.scoreSummary).toMatchObject({ answered: 0, items: version?.itemCount });
    }
  });

  it("allows one assessment per enterprise and cycle, with a clear error for the second", async () => {
    const s = await setup();
    const first = await started(s, "2026");
    const again = await startAssessment({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, actor: s.actor(s.admin.user), cycle: "2026" });
    expect(again).toEqual({ ok: false, error: "exists", existingId: String(first._id) });

    // Two simultaneous starts of another cycle: the unique index lets exactly one through.
    const both = await Promise.all([
      startAssessment({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, actor: s.actor(s.admin.user), cycle: "2027" }),
      startAssessment({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, actor: s.actor(s.member.user), cycle: "2027" }),
    ]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toMatchObject({ ok: false, error: "exists" });
    expect(await Assessment.countDocuments({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id })).toBe(2);

    // Through the route: 409 with the message next to the cycle.
    const cookie = await cookieFor(s.admin.user._id);
    const rubric = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean();
    const res = await callAction(indexAction, `/t/${s.tenant.slug}/assessments`, { slug: s.tenant.slug }, {
      cookie,
      form: { intent: "start", cycle: "2026", rubricVersionId: String(rubric?._id) },
    });
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ errors: { cycle: "assessment.errors.exists?cycle=2026" } });
  });

  it("refuses a rubric that does not apply, and lets only the enterprise admin start", async () => {
    const s = await setup({ industry: "machinery", sizeClass: "medium" });
    const smallMicro = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean();
    const refused = await startAssessment({
      tenantId: s.tenant._id,
      enterpriseId: s.enterprise._id,
      actor: s.actor(s.admin.user),
      cycle: "2026",
      rubricVersionId: smallMicro?._id ?? null,
    });
    expect(refused).toEqual({ ok: false, error: "rubricNotApplicable" });
    const memberCookie = await cookieFor(s.member.user._id);
    const res = await callAction(indexAction, `/t/${s.tenant.slug}/assessments`, { slug: s.tenant.slug }, {
      cookie: memberCookie,
      form: { intent: "start", cycle: "2026", rubricVersionId: String(smallMicro?._id) },
    });
    expect(res.status).toBe(403);
  });

  it("starting from the previous cycle carries answers and evidence over where the items still match", async () => {
    const s = await setup();
    const previous = await started(s, "2025");
    const saved = await saveAnswers({
      tenantId: s.tenant._id,
      id: previous._id,
      expectedVersion: 0,
      actor: s.actor(s.member.user),
      changes: [
        { itemId: "E1.1.2", answer: { choice: "full" } },
        { itemId: "E1.1.3", answer: { choice: "partial", deductions: [{ rule: "b", count: 2, note: "缺两个岗位" }] } },
        { itemId: "E3.1.4", answer: { choice: "na", naReason: "无此类设备" } },
      ],
    });
    expect(saved.ok).toBe(true);
    // Answers a newer rubric would no longer accept, and evidence of an item that is gone.
    const fileA = new Types.ObjectId();
    const fileB = new Types.ObjectId();
    await Assessment.updateOne(
      { tenantId: s.tenant._id, _id: previous._id },
      {
        $push: {
          answers: { $each: [{ itemId: "Z9.9.9", choice: "full" }, { itemId: "E1.1.4", choice: "partial", deductions: [{ rule: "zz", count: 1 }] }] },
          evidence: {
            $each: [
              { fileId: fileA, itemId: "E1.1.2", filename: "目标.pdf", contentType: "application/pdf", size: 10, uploadedBy: s.admin.user._id, uploadedAt: new Date() },
              { fileId: fileB, itemId: "Z9.9.9", filename: "old.pdf", contentType: "application/pdf", size: 10, uploadedBy: s.admin.user._id, uploadedAt: new Date() },
            ],
          },
        },
      },
    );

    const result = await startAssessment({
      tenantId: s.tenant._id,
      enterpriseId: s.enterprise._id,
      actor: s.actor(s.admin.user),
      cycle: "2026",
      fromPrevious: true,
    });
    if (!result.ok) throw new Error(result.error);
    expect(result.carriedOver).toEqual({ answers: 3, evidence: 1 });
    const doc = result.assessment;
    expect(doc.previousAssessmentId?.equals(previous._id)).toBe(true);
    expect(doc.answers.map((a) => [a.itemId, a.choice, a.carriedOver])).toEqual([
      ["E1.1.2", "full", true],
      ["E1.1.3", "partial", true],
      ["E3.1.4", "na", true],
    ]);
    expect(doc.answers[1]?.deductions).toEqual([{ rule: "b", count: 2, note: "缺两个岗位" }]);
    expect(String(doc.answers[0]?.updatedBy)).toBe(String(s.member.user._id));
    expect(doc.evidence.map((e) => [String(e.fileId), e.itemId, e.carriedOver])).toEqual([[String(fileA), "E1.1.2", true]]);
    expect(doc.performance).toEqual([]);

    // Without a previous cycle there is nothing to carry over.
    const none = await startAssessment({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, actor: s.actor(s.admin.user), cycle: "2024", fromPrevious: true });
    expect(none).toEqual({ ok: false, error: "previousNotFound" });

    // Confirming clears the flag, keeps the answer, and is a normal versioned write.
    const confirmed = await confirmCarriedOver({ tenantId: s.tenant._id, id: doc._id, expectedVersion: 0, itemIds: ["E1.1.3"], actor: s.actor(s.admin.user) });
    expect(confirmed.ok).toBe(true);
    const after = await getAssessment({ tenantId: s.tenant._id, id: doc._id });
    expect(after?.version).toBe(1);
    expect(after?.answers.map((a) => [a.itemId, a.carriedOver])).toEqual([
      ["E1.1.2", true],
      ["E1.1.3", false],
      ["E3.1.4", true],
    ]);
    expect(after?.answers[1]?.deductions).toEqual([{ rule: "b", count: 2, note: "缺两个岗位" }]);
    const all = await confirmCarriedOver({ tenantId: s.tenant._id, id: doc._id, expectedVersion: 1, actor: s.actor(s.admin.user) });
    expect(all.ok).toBe(true);
    const final = await getAssessment({ tenantId: s.tenant._id, id: doc._id });
    expect(final?.answers.every((a) => a.carriedOver === false)).toBe(true);
  });
});

/** Score by the plain rule of DOMAIN.md §3, written out independently of the engine. */
function expectedScore(rubric: Rubric, answers: Record<string, ItemAnswer>): number {
  let obtainedH = 0;
  let applicableH = 0;
  for (const el of rubric.elements)
    for (const sub of el.subElements)
      for (const item of sub.items) {
        const pointsH = Math.round(item.points * 100);
        const a = answers[item.id];
        if (a?.choice === "na") continue;
        applicableH += pointsH;
        if (!a || a.choice === "none") continue;
        if (a.choice === "full") {
          obtainedH += pointsH;
          continue;
        }
        let lost = 0;
        for (const d of a.deductions) {
          const rule = item.deductionRules.find((r) => r.id === d.rule);
          if (!rule) throw new Error("bad rule");
          const each = rule.per === "all" ? pointsH : Math.round(rule.per * 100) * d.count;
          lost += rule.cap === undefined ? each : Math.min(each, Math.round(rule.cap * 100));
        }
        obtainedH += Math.max(0, pointsH - lost);
      }
  // Half-up to one decimal, in integers.
  const tenths = Math.floor((obtainedH * 1000 * 2 + applicableH) / (2 * applicableH));
  return tenths / 10;
}

describe("saving answers", () => {
  it("stores valid answers and a score summary equal to an independent computation and to the client's", async () => {
    const s = await setup();
    const doc = await started(s);
    const rubric = await rubricOf(doc);
    const answers: Record<string, ItemAnswer> = {};
    for (const el of rubric.elements) for (const sub of el.subElements) for (const item of sub.items) answers[item.id] = { choice: "full" };
    answers["E1.1.3"] = { choice: "partial", deductions: [{ rule: "b", count: 2, note: "缺两个岗位的责任" }] };
    answers["E2.1.3"] = { choice: "partial", deductions: [{ rule: "a", count: 1 }, { rule: "c", count: 3 }] };
    answers["E3.1.2"] = { choice: "none", note: "未建立" };
    answers["E3.1.4"] = { choice: "na", naReason: "本企业无特种设备" };

    const cookie = await cookieFor(s.member.user._id);
    const res = await postSave(s, String(doc._id), cookie, saveForm(0, Object.entries(answers).map(([itemId, answer]) => ({ itemId, answer }))));
    expect(res.status).toBe(200);
    const body = res.data as { ok: boolean; version: number; scoreSummary: { score: number } };
    expect(body.ok).toBe(true);
    expect(body.version).toBe(1);

    const stored = await getAssessment({ tenantId: s.tenant._id, id: doc._id });
    expect(stored?.version).toBe(1);
    const expected = expectedScore(rubric, answers);
    expect(expected).toBe(94.9); // (98 − 1 − 2 − 2) / 98 × 100 = 94.897… → 94.9
    expect(stored?.scoreSummary).toEqual({ score: expected, level: "qualified", eligible: true, answered: 49, items: 49 });
    expect(body.scoreSummary).toEqual(stored?.scoreSummary);
    // The wizard scores from the answer views it receives: the same function, the same result.
    const views = (stored?.answers ?? []).map(answerView);
    expect(summaryOf(scoreSelfAssessment({ rubric, weights: null, answers: toScoringAnswers(views, []) }))).toEqual(stored?.scoreSummary);
    const e113 = stored?.answers.find((a) => a.itemId === "E1.1.3");
    expect(e113).toMatchObject({ choice: "partial", deductions: [{ rule: "b", count: 2, note: "缺两个岗位的责任" }], rev: 1, carriedOver: false });
    expect(String(e113?.updatedBy)).toBe(String(s.member.user._id));

    // A failed safety-performance condition caps the level (here: none at all).
    const perf = await postSave(s, String(doc._id), cookie, saveForm(1, [], [{ conditionId: "no-fatal-12m", passed: false, note: "2025年3月1人死亡" }]));
    expect(perf.status).toBe(200);
    const capped = await getAssessment({ tenantId: s.tenant._id, id: doc._id });
    expect(capped?.scoreSummary).toMatchObject({ score: 94.9, level: null, eligible: false });
    expect(capped?.performance).toEqual([{ conditionId: "no-fatal-12m", passed: false, note: "2025年3月1人死亡" }]);

    // Clearing an answer (null) makes it unanswered again.
    const cleared = await postSave(s, String(doc._id), cookie, saveForm(2, [{ itemId: "E3.1.2", answer: null }]));
    expect(cleared.status).toBe(200);
    expect((await getAssessment({ tenantId: s.tenant._id, id: doc._id }))?.answers.some((a) => a.itemId === "E3.1.2")).toBe(false);
  });

  it("rejects invalid answers with 400 and field errors, and writes nothing", async () => {
    const s = await setup();
    const doc = await started(s);
    const cookie = await cookieFor(s.admin.user._id);
    const before = await Assessment.findOne({ tenantId: s.tenant._id, _id: doc._id }).lean();
    const bad: Array<{ change: { itemId: string; answer: unknown }; field: string; message: string }> = [
      { change: { itemId: "E3.1.4", answer: { choice: "na" } }, field: "naReason", message: "assessment.errors.naReasonRequired" },
      { change: { itemId: "E3.1.4", answer: { choice: "na", naReason: "   " } }, field: "naReason", message: "assessment.errors.naReasonRequired" },
      { change: { itemId: "E1.1.2", answer: { choice: "na", naReason: "不适用" } }, field: "choice", message: "assessment.errors.naNotAllowed" },
      { change: { itemId: "E1.1.2", answer: { choice: "partial", deductions: [{ rule: "x", count: 1 }] } }, field: "deductions", message: "assessment.errors.unknownRule" },
      { change: { itemId: "E1.1.2", answer: { choice: "partial", deductions: [{ rule: "b", count: -1 }] } }, field: "counts.1", message: "assessment.errors.count" },
      { change: { itemId: "E1.1.2", answer: { choice: "partial", deductions: [{ rule: "b", count: 1.5 }] } }, field: "counts.1", message: "assessment.errors.count" },
      { change: { itemId: "E1.1.3", answer: { choice: "partial", deductions: [{ rule: "b", count: 4 }] } }, field: "counts.1", message: "assessment.errors.countTooHigh?max=3" },
      { change: { itemId: "E1.1.3", answer: { choice: "partial", deductions: [] } }, field: "deductions", message: "assessment.errors.deductionsRequired" },
      { change: { itemId: "E1.1.3", answer: { choice: "maybe" } }, field: "choice", message: "assessment.errors.choice" },
      { change: { itemId: "Z1", answer: { choice: "full" } }, field: "choice", message: "assessment.errors.unknownItem" },
    ];
    for (const b of bad) {
      // A valid change in the same save must not be written either: all or nothing.
      const res = await postSave(s, String(doc._id), cookie, saveForm(0, [{ itemId: "E1.1.1", answer: { choice: "full" } }, b.change]));
      expect(res.status, JSON.stringify(b.change)).toBe(400);
      expect(res.data).toMatchObject({ ok: false, error: "invalid", itemErrors: { [b.change.itemId]: { [b.field]: b.message } } });
    }
    const badPerf = await postSave(s, String(doc._id), cookie, saveForm(0, [], [{ conditionId: "nope", passed: true }]));
    expect(badPerf.status).toBe(400);
    const malformed = await postSave(s, String(doc._id), cookie, { intent: "save", version: "0", changes: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.data).toEqual({ ok: false, error: "badRequest" });

    const after = await Assessment.findOne({ tenantId: s.tenant._id, _id: doc._id }).lean();
    expect(after?.version).toBe(0);
    expect(after?.answers).toEqual(before?.answers);
    expect(after?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());
  });

  it("lets exactly one of two saves on the same version win; the other gets 409 with the winner's changes", async () => {
    const s = await setup();
    const doc = await started(s);
    const id = String(doc._id);
    const [adminCookie, memberCookie] = await Promise.all([cookieFor(s.admin.user._id), cookieFor(s.member.user._id)]);
    const mine = { choice: "partial", deductions: [{ rule: "a", count: 1, note: "一个季度无记录" }] };
    const theirs = { choice: "none", note: "全年无记录" };
    const results = await Promise.all([
      postSave(s, id, adminCookie, saveForm(0, [{ itemId: "E1.1.5", answer: mine }])),
      postSave(s, id, memberCookie, saveForm(0, [{ itemId: "E1.1.5", answer: theirs }, { itemId: "E1.1.4", answer: { choice: "full" } }])),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winnerIndex = results.findIndex((r) => r.status === 200);
    const loser = results[1 - winnerIndex];
    const winner = winnerIndex === 0 ? { user: s.admin.user, answer: mine } : { user: s.member.user, answer: theirs };
    const body = loser?.data as {
      error: string;
      version: number;
      items: Array<{ itemId: string; current: { choice: string } | null; changedByOthers: boolean; updatedBy: { id: string; name: string } | null }>;
      answers: Array<{ itemId: string }>;
    };
    expect(body.error).toBe("conflict");
    expect(body.version).toBe(1);
    const e115 = body.items.find((i) => i.itemId === "E1.1.5");
    expect(e115?.changedByOthers).toBe(true);
    expect(e115?.current?.choice).toBe(winner.answer.choice);
    expect(e115?.updatedBy).toEqual({ id: String(winner.user._id), name: winner.user.name });

    const stored = await getAssessment({ tenantId: s.tenant._id, id });
    expect(stored?.version).toBe(1);
    expect(stored?.answers.find((a) => a.itemId === "E1.1.5")?.choice).toBe(winner.answer.choice);

    // "Keep mine": the loser retries on the version it was told about, and wins.
    const loserAnswer = winnerIndex === 0 ? theirs : mine;
    const loserCookie = winnerIndex === 0 ? memberCookie : adminCookie;
    const retry = await postSave(s, id, loserCookie, saveForm(body.version, [{ itemId: "E1.1.5", answer: loserAnswer }]));
    expect(retry.status).toBe(200);
    expect((await getAssessment({ tenantId: s.tenant._id, id }))?.answers.find((a) => a.itemId === "E1.1.5")?.choice).toBe(loserAnswer.choice);
  });

  it("stays all-or-one under a burst of simultaneous saves on the same version", async () => {
    const s = await setup();
    const doc = await started(s);
    const attempts = await Promise.all(
      ["full", "none", "full", "none", "full", "none"].map((choice, i) =>
        saveAnswers({
          tenantId: s.tenant._id,
          id: doc._id,
          expectedVersion: 0,
          actor: s.actor(i % 2 === 0 ? s.admin.user : s.member.user),
          changes: [{ itemId: "E4.1.6", answer: { choice, note: `attempt ${i}` } }],
        }),
      ),
    );
    expect(attempts.filter((a) => a.ok)).toHaveLength(1);
    expect(attempts.filter((a) => !a.ok && a.error === "conflict")).toHaveLength(5);
    // Every loser learns the winner's version and change, even if the winner's write was still landing.
    for (const a of attempts) if (!a.ok && a.error === "conflict") expect([a.version, a.items[0]?.changedByOthers]).toEqual([1, true]);
    const stored = await getAssessment({ tenantId: s.tenant._id, id: doc._id });
    expect(stored?.version).toBe(1);
    const winner = attempts.findIndex((a) => a.ok);
    expect(stored?.answers.find((a) => a.itemId === "E4.1.6")?.note).toBe(`attempt ${winner}`);
  });

  it("reports items someone else saved since the caller's version, even when the caller changed others", async () => {
    const s = await setup();
    const doc = await started(s);
    const first = await saveAnswers({ tenantId: s.tenant._id, id: doc._id, expectedVersion: 0, actor: s.actor(s.member.user), changes: [{ itemId: "E2.2.2", answer: { choice: "full" } }] });
    expect(first.ok).toBe(true);
    const stale = await saveAnswers({ tenantId: s.tenant._id, id: doc._id, expectedVersion: 0, actor: s.actor(s.admin.user), changes: [{ itemId: "E2.2.1", answer: { choice: "full" } }] });
    expect(stale).toMatchObject({
      ok: false,
      error: "conflict",
      version: 1,
      items: [{ itemId: "E2.2.1", current: null, changedByOthers: false }],
      otherItems: [{ itemId: "E2.2.2", changedByOthers: true, updatedBy: { name: s.member.user.name } }],
    });
  });

  it("saves the accident record of the performance declaration, rejecting bad rows field by field", async () => {
    const s = await setup();
    const doc = await started(s);
    const id = String(doc._id);
    const cookie = await cookieFor(s.admin.user._id);
    const record = {
      none: false,
      accidents: [
        { occurredOn: "2025-06-01", accidentClass: "general", deaths: 0, seriousInjuries: 1, directLossWan: "12.5", reportedOnTime: "yes", description: " 叉车碰撞 " },
      ],
    };
    const ok = await postSave(s, id, cookie, { ...saveForm(0, []), accidentRecord: JSON.stringify(record) });
    expect(ok.status).toBe(200);
    expect((ok.data as { accidentRecord: unknown }).accidentRecord).toMatchObject({
      none: false,
      accidents: [{ occurredOn: "2025-06-01", accidentClass: "general", deaths: 0, seriousInjuries: 1, directLossWan: 12.5, reportedOnTime: true, description: "叉车碰撞" }],
      rev: 1,
      updatedBy: String(s.admin.user._id),
    });

    const bad = {
      none: false,
      accidents: [{ occurredOn: "2999-01-01", accidentClass: "minor", deaths: -1, seriousInjuries: 0, directLossWan: "1,5", reportedOnTime: "maybe" }],
    };
    const rejected = await postSave(s, id, cookie, { ...saveForm(1, []), accidentRecord: JSON.stringify(bad) });
    expect(rejected.status).toBe(400);
    expect((rejected.data as { accidentErrors: Record<string, string> }).accidentErrors).toEqual({
      "accidents.0.occurredOn": "assessment.accidents.errors.future",
      "accidents.0.accidentClass": "errors.invalidChoice",
      "accidents.0.deaths": "assessment.errors.count",
      "accidents.0.directLossWan": "assessment.accidents.errors.loss",
      "accidents.0.reportedOnTime": "assessment.accidents.errors.reported",
    });
    const contradictory = await postSave(s, id, cookie, { ...saveForm(1, []), accidentRecord: JSON.stringify({ none: true, accidents: record.accidents }) });
    expect(contradictory.status).toBe(400);

    // Someone else's save of the record shows up in a conflict; null clears it.
    const stale = await postSave(s, id, cookie, { ...saveForm(0, []), accidentRecord: JSON.stringify({ none: true, accidents: [] }) });
    expect(stale.status).toBe(409);
    expect((stale.data as { accidentRecord: { rev: number } }).accidentRecord.rev).toBe(1);
    const cleared = await postSave(s, id, cookie, { ...saveForm(1, []), accidentRecord: "null" });
    expect(cleared.status).toBe(200);
    expect((await getAssessment({ tenantId: s.tenant._id, id }))?.accidentRecord).toBeNull();
  });

  it("derives the accident conditions from the record, counting 12-month totals: two accidents reach the threshold together", async () => {
    const s = await setup();
    const doc = await started(s);
    const id = String(doc._id);
    const cookie = await cookieFor(s.admin.user._id);
    const day = (monthsAgo: number) => {
      const d = new Date();
      d.setUTCMonth(d.getUTCMonth() - monthsAgo);
      return d.toISOString().slice(0, 10);
    };
    const row = (occurredOn: string, seriousInjuries: number, directLossWan: string) => ({
      occurredOn,
      accidentClass: "general",
      deaths: 0,
      seriousInjuries,
      directLossWan,
      reportedOnTime: "yes",
    });
    const declaredMet = [{ conditionId: "no-major-injury-loss-12m", passed: true, note: "声明满足" }];
    // One accident below both thresholds: the condition is met (the declaration stands).
    const one = await postSave(s, id, cookie, { ...saveForm(0, [], declaredMet), accidentRecord: JSON.stringify({ none: false, accidents: [row(day(3), 2, "60")] }) });
    expect(one.status).toBe(200);
    const perf1 = (await getAssessment({ tenantId: s.tenant._id, id }))?.performance ?? [];
    expect(perf1.find((p) => p.conditionId === "no-major-injury-loss-12m")?.passed).toBe(true);
    expect(perf1.find((p) => p.conditionId === "no-fatal-12m")?.passed).toBe(true);
    // A second one: 2 + 1 serious injuries and 60 + 40 万元 reach the thresholds only in total.
    const two = await postSave(s, id, cookie, {
      ...saveForm(1, [], declaredMet),
      accidentRecord: JSON.stringify({ none: false, accidents: [row(day(3), 2, "60"), row(day(1), 1, "40")] }),
    });
    expect(two.status).toBe(200);
    const after = await getAssessment({ tenantId: s.tenant._id, id });
    expect(after?.performance.find((p) => p.conditionId === "no-major-injury-loss-12m")).toMatchObject({ passed: false, note: "声明满足" });
    expect(after?.scoreSummary?.level ?? null).toBeNull();
  });

  it("refuses to change a submitted assessment (409 locked) and writes nothing", async () => {
    const s = await setup();
    const doc = await started(s);
    await Assessment.updateOne({ tenantId: s.tenant._id, _id: doc._id }, { $set: { state: "submitted" } });
    const cookie = await cookieFor(s.admin.user._id);
    const res = await postSave(s, String(doc._id), cookie, saveForm(0, [{ itemId: "E1.1.1", answer: { choice: "full" } }]));
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ ok: false, error: "locked", state: "submitted" });
    expect((await getAssessment({ tenantId: s.tenant._id, id: doc._id }))?.answers).toEqual([]);
    const page = await callLoader(wizardLoader, `/t/${s.tenant.slug}/assessments/${String(doc._id)}`, { slug: s.tenant.slug, id: String(doc._id) }, { cookie });
    expect(page.data).toMatchObject({ canEdit: false, readOnly: "submitted" });
  });
});

describe("who may see an assessment", () => {
  it("gives an enterprise member of another company 404, and a regulator read-only access", async () => {
    const s = await setup();
    const doc = await started(s);
    const id = String(doc._id);
    const other = await createEnterprise(s.tenant._id);
    const stranger = await createMember(s.tenant._id, "enterprise_admin", { enterpriseId: other._id });
    const strangerCookie = await cookieFor(stranger.user._id);
    const params = { slug: s.tenant.slug, id };
    const url = `/t/${s.tenant.slug}/assessments/${id}`;
    expect((await callLoader(wizardLoader, url, params, { cookie: strangerCookie })).status).toBe(404);
    expect((await callLoader(summaryLoader, `${url}/summary`, params, { cookie: strangerCookie })).status).toBe(404);
    expect((await callLoader(elementLoader, `${url}/E1`, { ...params, elementId: "E1" }, { cookie: strangerCookie })).status).toBe(404);
    expect((await postSave(s, id, strangerCookie, saveForm(0, [{ itemId: "E1.1.1", answer: { choice: "full" } }]))).status).toBe(404);
    // Their own list does not show it.
    const list = await callLoader(indexLoader, `/t/${s.tenant.slug}/assessments`, { slug: s.tenant.slug }, { cookie: strangerCookie });
    expect((list.data as { list: { items: unknown[] } }).list.items).toEqual([]);

    const regulatorCookie = await cookieFor(s.regulator.user._id);
    const page = await callLoader(wizardLoader, url, params, { cookie: regulatorCookie });
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ canEdit: false, readOnly: "viewOnly" });
    expect((await postSave(s, id, regulatorCookie, saveForm(0, []))).status).toBe(403);
    const tenantList = await callLoader(indexLoader, `/t/${s.tenant.slug}/assessments`, { slug: s.tenant.slug }, { cookie: regulatorCookie });
    expect((tenantList.data as { kind: string; list: { items: Array<{ id: string }> } }).list.items.map((i) => i.id)).toEqual([id]);

    // The owner sees the wizard, its elements, and a 404 for an element that does not exist.
    const ownerCookie = await cookieFor(s.member.user._id);
    const own = await callLoader(wizardLoader, url, params, { cookie: ownerCookie });
    expect(own.status).toBe(200);
    expect(own.data).toMatchObject({ canEdit: true, readOnly: null, assessment: { version: 0 } });
    const element = await callLoader(elementLoader, `${url}/E1`, { ...params, elementId: "E1" }, { cookie: ownerCookie });
    expect(element.data).toMatchObject({ elementId: "E1", part: 1, prev: null, next: { elementId: "E2", part: 1 }, licenceWarnings: [], evidence: {} });
    // A part number out of range or malformed is clamped, never an error (large elements are paged in parts).
    for (const q of ["?part=99", "?part=abc", "?item=nope"]) {
      const r = await callLoader(elementLoader, `${url}/E1${q}`, { ...params, elementId: "E1" }, { cookie: ownerCookie });
      expect(r.status, q).toBe(200);
      expect(r.data, q).toMatchObject({ elementId: "E1", part: 1 });
    }
    // The element page carries its own element with every text (the layout only the scoring outline, decision 028).
    const shown = (element.data as { element: { id: string; subElements: Array<{ items: Array<{ id: string; text: { zh: string } }> }> } }).element;
    expect(shown.id).toBe("E1");
    expect(shown.subElements.flatMap((sub) => sub.items).every((i) => i.id.startsWith("E1.") && i.text.zh.length > 0)).toBe(true);
    expect((await callLoader(elementLoader, `${url}/E99`, { ...params, elementId: "E99" }, { cookie: ownerCookie })).status).toBe(404);
  });

  it("keeps tenants apart: another tenant's id is a 404 even for a regulator there", async () => {
    const s = await setup();
    const doc = await started(s);
    const otherTenant = await createTenant();
    const otherRegulator = await createMember(otherTenant._id, "regulator");
    const cookie = await cookieFor(otherRegulator.user._id);
    const id = String(doc._id);
    const res = await callLoader(wizardLoader, `/t/${otherTenant.slug}/assessments/${id}`, { slug: otherTenant.slug, id }, { cookie });
    expect(res.status).toBe(404);
    expect(await getAssessment({ tenantId: otherTenant._id, id })).toBeNull();
    const saved = await saveAnswers({ tenantId: otherTenant._id, id, expectedVersion: 0, actor: { id: otherRegulator.user._id, email: "x@example.com" }, changes: [] });
    expect(saved).toEqual({ ok: false, error: "notFound" });
    const list = await callLoader(indexLoader, `/t/${otherTenant.slug}/assessments`, { slug: otherTenant.slug }, { cookie });
    expect((list.data as { list: { items: unknown[] } }).list.items).toEqual([]);
  });
});

describe("the summary", () => {
  it("lists deductions with their reasons, vetoes, missing answers and missing evidence", async () => {
    const s = await setup();
    const doc = await started(s);
    const id = String(doc._id);
    const saved = await saveAnswers({
      tenantId: s.tenant._id,
      id,
      expectedVersion: 0,
      actor: s.actor(s.admin.user),
      changes: [
        { itemId: "E1.1.1", answer: { choice: "none", note: "许可证已过期" } },
        { itemId: "E1.1.3", answer: { choice: "partial", deductions: [{ rule: "b", count: 2, note: "仓库和财务岗位缺责任" }] } },
        { itemId: "E3.1.4", answer: { choice: "na", naReason: "无此类设备" } },
      ],
    });
    expect(saved.ok).toBe(true);
    const cookie = await cookieFor(s.admin.user._id);
    const res = await callLoader(summaryLoader, `/t/${s.tenant.slug}/assessments/${id}/summary`, { slug: s.tenant.slug, id }, { cookie });
    expect(res.status).toBe(200);
    const data = res.data as {
      breakdown: { vetoes: Array<{ itemId: string }>; deductions: Array<{ itemId: string; ruleId: string | null; points: number; note: string | null }>; unanswered: string[]; eligible: boolean };
      missingEvidence: string[];
      naItems: Array<{ itemId: string; reason: string }>;
    };
    expect(data.breakdown.vetoes.map((v) => v.itemId)).toEqual(["E1.1.1"]);
    expect(data.breakdown.eligible).toBe(false);
    expect(data.breakdown.deductions).toEqual([
      expect.objectContaining({ itemId: "E1.1.1", ruleId: null, points: 2, note: "许可证已过期" }),
      expect.objectContaining({ itemId: "E1.1.3", ruleId: "b", points: 1, note: "仓库和财务岗位缺责任" }),
    ]);
    expect(data.breakdown.unanswered).toHaveLength(46);
    expect(data.naItems).toEqual([{ itemId: "E3.1.4", reason: "无此类设备" }]);
    // N/A items need no evidence; everything else that requires evidence has none yet.
    expect(data.missingEvidence).toContain("E1.1.1");
    expect(data.missingEvidence).not.toContain("E3.1.4");
  });
});
