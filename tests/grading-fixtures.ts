/**
 * Shared grading fixtures for the Step 10 review tests: a tenant with a micro enterprise (small/
 * micro rubric, one level "qualified" ≥ 60), its admin, a regulator, three reviewers, and an
 * application answered "meets" everywhere, taken to "under review" with a two-member panel.
 */
import { Types } from "mongoose";
import { expect } from "vitest";
import { Assessment, type AssessmentDoc } from "../models/assessment";
import { getAssessment, saveAnswers, startAssessment } from "~/data/assessments.server";
import { applyApplicationEvent, type GradingMember } from "~/data/grading.server";
import { getRubricVersion } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import type { Role } from "~/lib/domain";
import { permissionsFor } from "~/lib/permissions";
import { createEnterprise, createMember, createTenant, formPanel } from "./factories";

type User = { _id: Types.ObjectId; email: string };

export function memberOf(tenantId: Types.ObjectId, user: User, role: Role, enterpriseId: Types.ObjectId | null = null): GradingMember {
  return { tenantId, roles: [role], permissions: permissionsFor([role]), enterpriseId, user: { _id: user._id, email: user.email } };
}

/** Monday 2026-03-02 10:00 Shanghai. */
export const T0 = new Date("2026-03-02T02:00:00.000Z");
export const days = (n: number) => new Date(T0.getTime() + n * 24 * 60 * 60 * 1000);

/** A micro enterprise (small/micro rubric), or with `medium` a machinery one (general rubric, 135 items). */
export async function gradingSetup(options: { medium?: boolean } = {}) {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(
    tenant._id,
    options.medium ? { industry: "machinery", sizeClass: "medium" } : { industry: "light", sizeClass: "micro" },
  );
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  const lead = await createMember(tenant._id, "reviewer");
  const second = await createMember(tenant._id, "reviewer");
  const outsider = await createMember(tenant._id, "reviewer");
  const m = {
    admin: memberOf(tenant._id, admin.user, "enterprise_admin", enterprise._id),
    regulator: memberOf(tenant._id, regulator.user, "regulator"),
    lead: memberOf(tenant._id, lead.user, "reviewer"),
    second: memberOf(tenant._id, second.user, "reviewer"),
    outsider: memberOf(tenant._id, outsider.user, "reviewer"),
  };
  return { tenant, enterprise, admin, regulator, lead, second, outsider, m };
}
export type GradingSetup = Awaited<ReturnType<typeof gradingSetup>>;
/** What the helpers below need of a set-up (tests with their own members pass theirs). */
type Scope = { tenant: { _id: Types.ObjectId } };
type ApplicantScope = Scope & { enterprise: { _id: Types.ObjectId }; admin: { user: User } };
export type ApplicationEvent = Parameters<typeof applyApplicationEvent>[0]["event"];

export async function send(s: Scope, id: Types.ObjectId, member: GradingMember, event: ApplicationEvent, now?: Date) {
  return applyApplicationEvent({ tenantId: s.tenant._id, applicationId: id, event, actor: { kind: "member", member }, now });
}

export async function expectOk(result: Awaited<ReturnType<typeof applyApplicationEvent>>) {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result;
}

export async function reload(s: Scope, id: Types.ObjectId): Promise<AssessmentDoc> {
  const doc = await getAssessment({ tenantId: s.tenant._id, id });
  if (!doc) throw new Error("missing");
  return doc;
}

/** Self-assessment answered "meets" everywhere (one item "partly" when asked), evidence refs for required items. */
export async function readyApplication(s: ApplicantScope, cycle = "2026"): Promise<AssessmentDoc> {
  const actor = { id: s.admin.user._id, email: s.admin.user.email, role: "enterprise_admin" as const };
  const started = await startAssessment({ tenantId: s.tenant._id, enterpriseId: s.enterprise._id, actor, cycle });
  if (!started.ok) throw new Error(started.error);
  const loaded = await getRubricVersion({ tenantId: s.tenant._id, id: started.assessment.rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  const items = rubricItems(loaded.rubric);
  const saved = await saveAnswers({
    tenantId: s.tenant._id,
    id: started.assessment._id,
    expectedVersion: 0,
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
      uploadedAt: new Date(),
    }));
  await Assessment.updateOne({ tenantId: s.tenant._id, _id: started.assessment._id }, { $set: { evidence } });
  const doc = await getAssessment({ tenantId: s.tenant._id, id: started.assessment._id });
  if (!doc) throw new Error("missing");
  return doc;
}

/** Submitted, accepted, the panel (lead first) assigned and the review started. */
export async function underReview(s: GradingSetup, appliedLevel = "qualified"): Promise<AssessmentDoc> {
  const app = await readyApplication(s);
  const id = app._id;
  await expectOk(await send(s, id, s.m.admin, { type: "SUBMIT", appliedLevel }, T0));
  await expectOk(await send(s, id, s.m.regulator, { type: "ACCEPT" }, days(1)));
  await formPanel({
    tenantId: s.tenant._id,
    applicationId: id,
    regulator: s.m.regulator,
    reviewerUserIds: [s.lead.user._id, s.second.user._id],
    now: days(1),
  });
  await expectOk(await send(s, id, s.m.lead, { type: "START_REVIEW" }, days(2)));
  const doc = await reload(s, id);
  expect(doc.state).toBe("underReview.reviewing");
  return doc;
}
