/**
 * Data for the two-instance test, written in the test process through the app's own data
 * functions (real database): applications in the states the bursts need, credit drafts.
 */
import { Types } from "mongoose";
import { createCreditDraft } from "~/data/credit-records.server";
import { applyApplicationEvent, type GradingMember } from "~/data/grading.server";
import { cookieFor, createEnterprise, createMember, createTenant, formPanel } from "../factories";
import { memberOf, readyApplication } from "../grading-fixtures";
import { completeReviewSheet } from "../review-sheet";

export async function createWorld() {
  const tenant = await createTenant();
  const regulator = await createMember(tenant._id, "regulator");
  await createMember(tenant._id, "regulator");
  const reviewers = [await createMember(tenant._id, "reviewer"), await createMember(tenant._id, "reviewer")];
  return {
    tenant,
    regulator: memberOf(tenant._id, regulator.user, "regulator"),
    regulatorCookie: await cookieFor(regulator.user._id),
    reviewers: reviewers.map((r) => memberOf(tenant._id, r.user, "reviewer")),
  };
}
export type World = Awaited<ReturnType<typeof createWorld>>;

async function ok(result: Awaited<ReturnType<typeof applyApplicationEvent>>): Promise<void> {
  if (!result.ok) throw new Error(`fixture event refused: ${JSON.stringify(result)}`);
}

/** A micro enterprise with its admin and a complete self-assessment, submitted. */
export async function submittedApplication(w: World): Promise<Types.ObjectId> {
  const enterprise = await createEnterprise(w.tenant._id, { industry: "light", sizeClass: "micro" });
  const admin = await createMember(w.tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const started = await readyApplication({ tenant: w.tenant, enterprise, admin });
  const adminMember = memberOf(w.tenant._id, admin.user, "enterprise_admin", enterprise._id);
  await ok(
    await applyApplicationEvent({
      tenantId: w.tenant._id,
      applicationId: started._id,
      event: { type: "SUBMIT", appliedLevel: "qualified" },
      actor: { kind: "member", member: adminMember },
    }),
  );
  return started._id;
}

/** Submitted, then accepted, reviewed, approved and under public notice (ends in ~7 working days). */
export async function applicationUnderNotice(w: World): Promise<Types.ObjectId> {
  const id = await submittedApplication(w);
  const send = (member: GradingMember, event: Parameters<typeof applyApplicationEvent>[0]["event"]) =>
    applyApplicationEvent({ tenantId: w.tenant._id, applicationId: id, event, actor: { kind: "member", member } });
  const [r1, r2] = w.reviewers;
  if (!r1 || !r2) throw new Error("reviewers missing");
  await ok(await send(w.regulator, { type: "ACCEPT" }));
  await formPanel({ tenantId: w.tenant._id, applicationId: id, regulator: w.regulator, reviewerUserIds: [r1.user._id, r2.user._id] });
  await ok(await send(r1, { type: "START_REVIEW" }));
  // REPORT_REVIEW needs a complete, confirmed consolidated sheet.
  await completeReviewSheet({ tenantId: w.tenant._id, id, scorer: r1, members: [r1, r2] });
  await ok(await send(r1, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }));
  await ok(await send(w.regulator, { type: "APPROVE" }));
  await ok(await send(w.regulator, { type: "START_NOTICE" }));
  return id;
}

/** A credit-list draft about an enterprise of the tenant that has an admin (so effects email someone). */
export async function creditDraft(w: World): Promise<Types.ObjectId> {
  const enterprise = await createEnterprise(w.tenant._id, { industry: "light", sizeClass: "micro" });
  await createMember(w.tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const created = await createCreditDraft({
    tenantId: w.tenant._id,
    member: w.regulator,
    input: {
      subjectName: enterprise.name,
      creditCode: enterprise.creditCode,
      subjectType: "enterprise",
      responsibleName: "张三",
      responsibleIdNumber: "510104198001011234",
      listType: "serious2023",
      conditionKey: "c2023_concealed_accident",
      facts: "2026年1月瞒报一起生产安全事故。",
      legalBasis: "《安全生产严重失信主体名单管理办法》第七条第（四）项",
      penaltyDecisionNo: "成应急罚〔2026〕12号",
      authority: "成都市应急管理局",
    },
  });
  if (!created.ok) throw new Error(`credit draft refused: ${JSON.stringify(created)}`);
  return new Types.ObjectId(created.id);
}
