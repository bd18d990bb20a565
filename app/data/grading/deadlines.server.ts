/** Scheduled job: end of public notice, deadline reminders, effect redelivery. */
import type { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { connectDb } from "~/db.server";
import { logger } from "~/logger.server";
import {
  pendingEffectSchema,
  type EmailRecipient,
  type PendingEffect,
} from "~/workflows/grading.machine";
import { shanghaiDate, workingDaysBetween } from "~/workflows/working-days";
import { enqueueEmail } from "../outbox.server";
import { applyApplicationEvent } from "./apply.server";
import { carryOutEffects, resolveRecipients } from "./effects.server";
import { gradingSettingsOf, loadTenant, type TenantForGrading } from "./snapshot.server";

/** Remind from this many working days before a deadline (and every day once it has passed). */
export const REMIND_WITHIN_WORKING_DAYS = 3;

const REMINDERS = [
  { deadline: "acceptBy", states: ["submitted", "renewalCheck"], to: "regulators" },
  {
    deadline: "reviewBy",
    states: ["underReview.reviewing", "underReview.rectification"],
    to: "reviewers",
  },
  { deadline: "rectifyBy", states: ["underReview.rectification"], to: "enterprise" },
] as const;

export type DeadlinesRun = { noticesEnded: number; reminders: number; redelivered: number };

export async function runGradingDeadlines({ now }: { now: Date }): Promise<DeadlinesRun> {
  await connectDb();
  const run: DeadlinesRun = { noticesEnded: 0, reminders: 0, redelivered: 0 };

  // 1. Public notices whose period is over. Several runners may find the same application: the
  //    compare-and-set lets one transition through, the others get a conflict and move on.
  const due = await Assessment.find({
    state: "publicNotice.running",
    "deadlines.noticeEndsAt": { $lte: now },
  })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, version: 1 })
    .limit(500)
    .lean<Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId; version: number }>>();
  for (const app of due) {
    const result = await applyApplicationEvent({
      tenantId: app.tenantId,
      applicationId: app._id,
      event: { type: "NOTICE_ENDED" },
      actor: { kind: "system" },
      expectedVersion: app.version,
      now,
    });
    if (result.ok) run.noticesEnded += 1;
    else if (result.error !== "conflict")
      logger.warn({ applicationId: String(app._id), result }, "notice end refused");
  }

  // 2. Reminders, at most one per application, deadline, recipient and Shanghai day.
  const tenants = new Map<string, TenantForGrading | null>();
  const tenantOf = async (id: Types.ObjectId) => {
    const key = String(id);
    if (!tenants.has(key)) tenants.set(key, await loadTenant(id));
    return tenants.get(key) ?? null;
  };
  const horizon = new Date(now.getTime() + 30 * 24 * 60 * 60 * 1000);
  const today = shanghaiDate(now);
  for (const rule of REMINDERS) {
    const apps = await Assessment.find({
      state: { $in: [...rule.states] },
      [`deadlines.${rule.deadline}`]: { $lte: horizon },
    })
      .setOptions({ crossTenant: true })
      .select({
        tenantId: 1,
        enterpriseId: 1,
        deadlines: 1,
        reviewerIds: 1,
        cycle: 1,
        districtCode: 1,
        "workflow.context.settings.organizerEnabled": 1,
      })
      .limit(1000)
      .lean<
        Array<
          Pick<
            AssessmentDoc,
            "_id" | "tenantId" | "enterpriseId" | "deadlines" | "reviewerIds" | "cycle" | "workflow" | "districtCode"
          >
        >
      >();
    for (const app of apps) {
      const dueAt = app.deadlines?.[rule.deadline];
      const tenant = await tenantOf(app.tenantId);
      if (!dueAt || !tenant) continue;
      const left = workingDaysBetween(now, dueAt, gradingSettingsOf(tenant.settings).calendar);
      if (left > REMIND_WITHIN_WORKING_DAYS) continue;
      const to: EmailRecipient =
        rule.to === "regulators"
          ? // With an organizing unit, acceptance is its job (decision 021).
            organizerEnabledIn(app.workflow)
            ? { kind: "organizers" }
            : { kind: "regulators" }
          : rule.to === "enterprise"
            ? { kind: "enterprise", enterpriseId: String(app.enterpriseId) }
            : { kind: "users", userIds: (app.reviewerIds ?? []).map(String) };
      const enterprise = await Enterprise.findOne({ tenantId: app.tenantId, _id: app.enterpriseId })
        .select({ name: 1 })
        .lean<{ name: string }>();
      for (const r of await resolveRecipients(app.tenantId, to, app.districtCode ?? "")) {
        await enqueueEmail({
          tenantId: app.tenantId,
          idempotencyKey: `${String(app._id)}:remind:${rule.deadline}:${dueAt.toISOString()}:${today}:${r.userId}`,
          template: "deadline-reminder",
          to: r.email,
          locale: r.locale,
          data: {
            applicationId: String(app._id),
            enterpriseName: enterprise?.name ?? "",
            cycle: app.cycle,
            deadline: rule.deadline,
            dueAt: dueAt.toISOString(),
            workingDaysLeft: left,
            overdue: now.getTime() > dueAt.getTime(),
            path:
              rule.to === "reviewers"
                ? `/t/${tenant.slug}/reviews/${String(app._id)}`
                : `/t/${tenant.slug}/applications/${String(app._id)}`,
          },
          now,
        });
        run.reminders += 1;
      }
    }
  }

  // 3. Redelivery: effects of recent transitions, in case the request that wrote them died before
  //    carrying them out. Every key is deterministic, so repeating is harmless.
  const since = new Date(now.getTime() - 60 * 60 * 1000);
  const recent = await Assessment.find({ updatedAt: { $gte: since } })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, effects: 1 })
    .limit(500)
    .lean<Array<Pick<AssessmentDoc, "_id" | "tenantId" | "effects">>>();
  for (const app of recent) {
    const tenant = await tenantOf(app.tenantId);
    if (!tenant) continue;
    for (const batch of app.effects ?? []) {
      if (batch.at.getTime() < since.getTime()) continue;
      const parsed = batch.items.flatMap((item) => {
        const effect = pendingEffectOf(item);
        return effect ? [effect] : [];
      });
      await carryOutEffects({
        tenant,
        applicationId: app._id,
        version: batch.version,
        effects: parsed,
        now,
      });
      run.redelivered += 1;
    }
  }
  return run;
}

/** The organizing-unit setting the application was submitted under (stored in its snapshot). */
function organizerEnabledIn(workflow: AssessmentDoc["workflow"]): boolean {
  const context: unknown = workflow?.context;
  if (typeof context !== "object" || context === null || !("settings" in context)) return false;
  const settings: unknown = context.settings;
  return (
    typeof settings === "object" &&
    settings !== null &&
    "organizerEnabled" in settings &&
    settings.organizerEnabled === true
  );
}

function pendingEffectOf(item: unknown): PendingEffect | null {
  const parsed = pendingEffectSchema.safeParse(item);
  return parsed.success ? parsed.data : null;
}
