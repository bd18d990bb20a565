/**
 * One application driven through the app's own functions — start, answer every item, submit,
 * accept, assign two reviewers, review (both reviewers score every item), report, approve, public
 * notice, certify, issue the certificate — with a copy of the stored document taken at each
 * stage. The city scenario clones these copies, so every seeded application is a document the app
 * itself wrote (answers, workflow snapshot, history, review scores), not a hand-made imitation.
 */
import { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../models/assessment";
import { Certificate, type CertificateDoc } from "../../models/certificate";
import { RubricVersion } from "../../models/rubric-version";
import { issueCertificateForApplication } from "../../app/data/certificates.server";
import { saveAnswers, startAssessment } from "../../app/data/assessments.server";
import { applyApplicationEvent, type GradingMember } from "../../app/data/grading.server";
import { confirmSheetPart, saveReviewSheet } from "../../app/data/grading/review-sheet.server";
import { getRubricVersion } from "../../app/data/rubrics.server";
import { rubricItems } from "../../app/lib/assessment/answers";
import type { Role } from "../../app/lib/domain";
import { permissionsFor } from "../../app/lib/permissions";
import type { ApplicationEventRaw } from "../../app/workflows/grading-input";

const DAY = 86_400_000;
export const TEMPLATE_RUBRIC_KEY = "general-tier3";
export const TEMPLATE_LEVEL = "level3";

export type Actor = { userId: Types.ObjectId; email: string; role: Role; enterpriseId?: Types.ObjectId | null };
export type ApplicationTemplates = {
  draft: AssessmentDoc;
  review: AssessmentDoc;
  notice: AssessmentDoc;
  certified: AssessmentDoc;
  certificate: CertificateDoc;
};

type RubricItem = ReturnType<typeof rubricItems>[number];

/** "partial" with one finding of the item's first countable rule, where it has one; otherwise "full". */
function answerFor(item: RubricItem, partial: boolean, note: string) {
  const rule = item.deductionRules.find((r) => r.per !== "all");
  return partial && rule ? { choice: "partial", deductions: [{ rule: rule.id, count: 1 }], note } : { choice: "full", note };
}

function member(tenantId: Types.ObjectId, a: Actor): GradingMember {
  return {
    tenantId,
    roles: [a.role],
    permissions: permissionsFor([a.role]),
    enterpriseId: a.enterpriseId ?? null,
    user: { _id: a.userId, email: a.email },
  };
}

async function snapshot(tenantId: Types.ObjectId, id: Types.ObjectId): Promise<AssessmentDoc> {
  const doc = await Assessment.findOne({ tenantId, _id: id }).lean<AssessmentDoc>();
  if (!doc) throw new Error("template application vanished");
  return doc;
}

export async function buildApplicationTemplates(input: {
  tenantId: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  enterpriseAdmin: Actor;
  regulator: Actor;
  reviewers: [Actor, Actor];
  /** The review body whose experts the reviewers are, and its admin (Step 10). */
  reviewBodyId: Types.ObjectId;
  bodyAdmin: Actor;
  now: Date;
}): Promise<ApplicationTemplates> {
  const { tenantId, enterpriseId, now } = input;
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
  const meta = await RubricVersion.findOne({ tenantId: null, key: TEMPLATE_RUBRIC_KEY }).lean<{ _id: Types.ObjectId }>();
  if (!meta) throw new Error(`rubric ${TEMPLATE_RUBRIC_KEY} is not imported`);
  const admin = input.enterpriseAdmin;
  const started = await startAssessment({
    tenantId,
    enterpriseId,
    actor: { id: admin.userId, email: admin.email, role: admin.role },
    cycle: String(now.getUTCFullYear()),
    rubricVersionId: meta._id,
  });
  if (!started.ok) throw new Error(`template: start refused (${started.error})`);
  const id = started.assessment._id;
  const loaded = await getRubricVersion({ tenantId, id: meta._id });
  if (!loaded) throw new Error("template: rubric cannot be read");
  const items = rubricItems(loaded.rubric);
  // Every item answered, one in seven only partly met, each with the kind of note people write.
  const saved = await saveAnswers({
    tenantId,
    id,
    expectedVersion: 0,
    actor: { id: admin.userId, email: admin.email, role: admin.role },
    changes: items.map((item, i) => ({
      itemId: item.id,
      answer: answerFor(item, i % 7 === 3, `已按要求落实，相关记录见${item.id}台账（${i + 1}）。`),
    })),
    performance: loaded.rubric.performanceConditions.map((c) => ({ conditionId: c.id, passed: true })),
    now: at(90),
  });
  if (!saved.ok) throw new Error(`template: answers refused (${saved.error})`);
  // Evidence references for the items that require them (the files themselves are not read by the pages measured).
  const evidence = items
    .filter((item) => item.evidenceRequired)
    .map((item) => ({
      fileId: new Types.ObjectId(),
      itemId: item.id,
      filename: `${item.id}-记录.pdf`,
      contentType: "application/pdf",
      size: 182_000,
      uploadedBy: admin.userId,
      uploadedAt: at(90),
    }));
  await Assessment.updateOne({ tenantId, _id: id }, { $set: { evidence } });
  const draft = await snapshot(tenantId, id);

  const send = async (who: Actor | "system", event: ApplicationEventRaw, daysAgo: number) => {
    const result = await applyApplicationEvent({
      tenantId,
      applicationId: id,
      event,
      actor: who === "system" ? { kind: "system" } : { kind: "member", member: member(tenantId, who) },
      now: at(daysAgo),
    });
    if (!result.ok) throw new Error(`template: ${event.type} refused: ${JSON.stringify(result)}`);
  };
  const [lead, second] = input.reviewers;
  await send(admin, { type: "SUBMIT", appliedLevel: TEMPLATE_LEVEL }, 88);
  await send(input.regulator, { type: "ACCEPT" }, 86);
  await send(input.regulator, { type: "ASSIGN_REVIEW_BODY", reviewBodyId: String(input.reviewBodyId) }, 85);
  await send(
    input.bodyAdmin,
    { type: "ASSIGN_REVIEWERS", reviewerIds: [String(lead.userId), String(second.userId)], leadReviewerId: String(lead.userId) },
    85,
  );
  await send(lead, { type: "START_REVIEW" }, 80);
  // The lead scores the consolidated sheet; both members confirm (Step 10).
  const current = await snapshot(tenantId, id);
  const sheetSaved = await saveReviewSheet({
    tenantId,
    id,
    member: member(tenantId, lead),
    expectedVersion: current.version,
    changes: items.map((item, i) => ({
      itemId: item.id,
      answer: answerFor(item, i % 5 === 2, `现场核查：${item.id}记录齐全。`),
    })),
    now: at(75),
  });
  if (!sheetSaved || sheetSaved.status !== 200) throw new Error(`template: review sheet refused: ${JSON.stringify(sheetSaved?.body)}`);
  for (const reviewer of [lead, second]) {
    const latest = await snapshot(tenantId, id);
    const confirmed = await confirmSheetPart({ tenantId, id, member: member(tenantId, reviewer), expectedVersion: latest.version, now: at(74) });
    if (!confirmed.ok) throw new Error(`template: confirmation refused: ${JSON.stringify(confirmed)}`);
  }
  const review = await snapshot(tenantId, id);
  await send(lead, { type: "REPORT_REVIEW", recommendedLevel: TEMPLATE_LEVEL, reason: "评审组一致推荐。" }, 60);
  await send(input.regulator, { type: "APPROVE" }, 55);
  await send(input.regulator, { type: "START_NOTICE" }, 50);
  const notice = await snapshot(tenantId, id);
  await send("system", { type: "NOTICE_ENDED" }, 30);
  await send(input.regulator, { type: "CERTIFY" }, 28);
  const issued = await issueCertificateForApplication({ tenantId, applicationId: id, now: at(28) });
  if (!issued.ok) throw new Error(`template: certificate refused (${issued.error})`);
  const certified = await snapshot(tenantId, id);
  const certificate = await Certificate.findOne({ tenantId, applicationId: id }).lean<CertificateDoc>();
  if (!certificate) throw new Error("template: certificate missing");
  return { draft, review, notice, certified, certificate };
}
