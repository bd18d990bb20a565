/**
 * A tenant where every role has something waiting (issue 17), written through the app's own data
 * functions against a running app's database: used by tests/e2e/home-todos.test.ts and by
 * scripts/screenshots.ts. Users log in with TEST_PASSWORD.
 */
import { Types } from "mongoose";
import { Assessment } from "../models/assessment";
import { CreditRecord } from "../models/credit-record";
import { OutboxMessage } from "../models/outbox-message";
import { submitRegistration } from "~/data/registrations.server";
import { saveAnswers, startAssessment } from "~/data/assessments.server";
import { applyApplicationEvent, type GradingMember } from "~/data/grading.server";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import type { Role } from "~/lib/domain";
import { permissionsFor } from "~/lib/permissions";
import { seedDemoCertificateFor } from "../scripts/lib/seed-certificate";
import { createCreditRecord } from "./credit-fixtures";
import { createEnterprise, createMember, createTenant, formPanel, randomCreditCode } from "./factories";

type Tenant = Awaited<ReturnType<typeof createTenant>>;
type Person = { _id: Types.ObjectId; email: string };

export function gradingMember(tenantId: Types.ObjectId, user: Person, role: Role, enterpriseId: Types.ObjectId | null = null): GradingMember {
  return { tenantId, roles: [role], permissions: permissionsFor([role]), enterpriseId, user: { _id: user._id, email: user.email } };
}

/** A fully answered self-assessment (evidence references for the required items) of `cycle`. */
export async function answeredAssessment(tenant: Tenant, enterpriseId: Types.ObjectId, admin: Person, cycle = "2026") {
  const actor = { id: admin._id, email: admin.email, role: "enterprise_admin" };
  const started = await startAssessment({ tenantId: tenant._id, enterpriseId, actor, cycle });
  if (!started.ok) throw new Error(`start: ${started.error}`);
  const loaded = await getRubricVersion({ tenantId: tenant._id, id: started.assessment.rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  const items = rubricItems(loaded.rubric);
  const saved = await saveAnswers({ tenantId: tenant._id, id: started.assessment._id, expectedVersion: 0, actor, changes: items.map((i) => ({ itemId: i.id, answer: { choice: "full" } })) });
  if (!saved.ok) throw new Error(`save: ${saved.error}`);
  const evidence = items
    .filter((i) => i.evidenceRequired)
    .map((i) => ({ fileId: new Types.ObjectId(), itemId: i.id, filename: `${i.id}.pdf`, contentType: "application/pdf", size: 100, uploadedBy: admin._id, uploadedAt: new Date() }));
  await Assessment.updateOne({ tenantId: tenant._id, _id: started.assessment._id }, { $set: { evidence } });
  return started.assessment._id;
}

export async function sendEvent(tenant: Tenant, id: Types.ObjectId, member: GradingMember, event: Parameters<typeof applyApplicationEvent>[0]["event"]) {
  const result = await applyApplicationEvent({ tenantId: tenant._id, applicationId: id, event, actor: { kind: "member", member } });
  if (!result.ok) throw new Error(`${event.type}: ${JSON.stringify(result)}`);
}

export type TodoScenario = Awaited<ReturnType<typeof createTodoScenario>>;

/**
 * - `draftCo`: a self-assessment to finish and submit (its summary has the submit form), a credit
 *   notice with a defence deadline;
 * - `waitingCo`: an application submitted and waiting for acceptance (the regulator's to-do);
 * - `listedCo`: certified (one valid certificate) with a running 2027 application, and a decided
 *   credit record ready to publish: the publish dialog counts 1 application and 1 certificate;
 * - a reviewer with a running review panel; a registration to approve.
 */
export async function createTodoScenario() {
  await importRubricFiles();
  const tenant = await createTenant({ zh: "示例市应急管理局" });
  const regulator = await createMember(tenant._id, "regulator");
  const reviewer1 = await createMember(tenant._id, "reviewer");
  const reviewer2 = await createMember(tenant._id, "reviewer");
  const tenantAdmin = await createMember(tenant._id, "tenant_admin");
  const reg = gradingMember(tenant._id, regulator.user, "regulator");

  const company = async (name: string) => {
    const enterprise = await createEnterprise(tenant._id, { name, industry: "light", sizeClass: "micro" });
    const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
    return { enterprise, admin: admin.user, member: gradingMember(tenant._id, admin.user, "enterprise_admin", enterprise._id) };
  };
  const draftCo = await company("示例轻工制品有限公司");
  const waitingCo = await company("示例纸品包装有限公司");
  const reviewCo = await company("示例家具制造有限公司");
  const listedCo = await company("示例塑料制品有限公司");

  const draftId = await answeredAssessment(tenant, draftCo.enterprise._id, draftCo.admin);
  const waitingId = await answeredAssessment(tenant, waitingCo.enterprise._id, waitingCo.admin);
  await sendEvent(tenant, waitingId, waitingCo.member, { type: "SUBMIT", appliedLevel: "qualified" });

  const reviewId = await answeredAssessment(tenant, reviewCo.enterprise._id, reviewCo.admin);
  await sendEvent(tenant, reviewId, reviewCo.member, { type: "SUBMIT", appliedLevel: "qualified" });
  await sendEvent(tenant, reviewId, reg, { type: "ACCEPT" });
  await formPanel({ tenantId: tenant._id, applicationId: reviewId, regulator: reg, reviewerUserIds: [reviewer1.user._id, reviewer2.user._id] });
  await sendEvent(tenant, reviewId, gradingMember(tenant._id, reviewer1.user, "reviewer"), { type: "START_REVIEW" });

  const certificate = await seedDemoCertificateFor(tenant, listedCo.enterprise._id);
  const runningId = await answeredAssessment(tenant, listedCo.enterprise._id, listedCo.admin, "2027");
  await sendEvent(tenant, runningId, listedCo.member, { type: "SUBMIT", appliedLevel: "qualified" });

  const defenceDeadline = new Date(Date.now() + 10 * 86_400_000);
  const notice = await createCreditRecord(tenant._id, { status: "notified", creditCode: draftCo.enterprise.creditCode, subjectName: draftCo.enterprise.name });
  await CreditRecord.updateOne(
    { tenantId: tenant._id, _id: notice._id },
    { $set: { enterpriseId: draftCo.enterprise._id, defenceDeadline, noticeAt: new Date(), state: "notified.awaiting" } },
  );
  const decided = await createCreditRecord(tenant._id, { status: "decided", creditCode: listedCo.enterprise.creditCode, subjectName: listedCo.enterprise.name });
  await CreditRecord.updateOne({ tenantId: tenant._id, _id: decided._id }, { $set: { enterpriseId: listedCo.enterprise._id, decidedAt: new Date() } });

  await submitRegistration({
    tenantId: tenant._id,
    input: { name: "示例新材料科技有限公司", creditCode: randomCreditCode(), industry: "chemical", sizeClass: "small", districtCode: "510105", address: "青羊区示例路 8 号", contactName: "李安全", contactPhone: "028-86660000", adminName: "李安全", adminEmail: `applicant-${String(tenant._id)}@example.com`, password: "Safe-grade-2026" },
    locale: "zh-CN",
    ip: "127.0.0.1",
  });
  await OutboxMessage.create({ tenantId: tenant._id, idempotencyKey: `scenario-${String(tenant._id)}`, template: "password-reset", to: "moved-away@example.com", status: "failed", lastError: "550 mailbox unavailable", nextAttemptAt: new Date() });

  return {
    tenant,
    regulator: regulator.user,
    reviewer: reviewer2.user,
    tenantAdmin: tenantAdmin.user,
    draftCo: { ...draftCo, applicationId: draftId, creditNoticeId: notice._id, defenceDeadline },
    waitingCo: { ...waitingCo, applicationId: waitingId },
    listedCo: { ...listedCo, certificate, runningId, decidedRecordId: decided._id },
  };
}
