/** The tenant's grading settings and an application's workflow snapshot. */
import type { Types } from "mongoose";
import type {
  ApplicationDeadlines,
  ApplicationReview,
  AssessmentDoc,
} from "../../../models/assessment";
import { Tenant, minPanelSizeOf, type TenantSettings } from "../../../models/tenant";
import {
  GradingSnapshotError,
  restoreSnapshot,
  startGrading,
  type Deadlines,
  type GradingSettings,
  type GradingSnapshot,
} from "~/workflows/grading.machine";
import { tenantWorkingCalendar } from "~/workflows/statutory-calendar";

export function gradingSettingsOf(
  settings: Pick<
    TenantSettings,
    "acceptanceDays" | "reviewDays" | "publicNoticeDays" | "holidays" | "extraWorkdays" | "organizerEnabled"
  >,
): GradingSettings {
  return {
    acceptanceDays: settings.acceptanceDays,
    reviewDays: settings.reviewDays,
    publicNoticeDays: settings.publicNoticeDays,
    calendar: tenantWorkingCalendar(settings),
    organizerEnabled: settings.organizerEnabled === true,
  };
}

export type TenantForGrading = { _id: Types.ObjectId; slug: string; settings: TenantSettings };

export async function loadTenant(tenantId: Types.ObjectId): Promise<TenantForGrading | null> {
  return Tenant.findOne({ _id: tenantId })
    .select({ slug: 1, settings: 1 })
    .lean<TenantForGrading>();
}

/**
 * The application's workflow snapshot; an application that never left the self-assessment has
 * none stored yet and starts at draft. Throws GradingSnapshotError for a snapshot this code cannot
 * resume (another machine version, or damaged data).
 */
export function snapshotOfApplication(
  doc: Pick<AssessmentDoc, "_id" | "enterpriseId" | "appliedLevel" | "workflow" | "state">,
  settings: TenantSettings,
): GradingSnapshot {
  if (doc.workflow) return restoreSnapshot(doc.workflow);
  if (doc.state !== "draft") {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      `application ${String(doc._id)} is "${doc.state}" but has no workflow`,
    );
  }
  return startGrading({
    applicationId: String(doc._id),
    enterpriseId: String(doc.enterpriseId),
    appliedLevel: doc.appliedLevel,
    reviewersRequired: minPanelSizeOf(settings),
    settings: gradingSettingsOf(settings),
  });
}

export function deadlineDates(deadlines: Deadlines): ApplicationDeadlines {
  const out: ApplicationDeadlines = {};
  if (deadlines.acceptBy) out.acceptBy = new Date(deadlines.acceptBy);
  if (deadlines.reviewBy) out.reviewBy = new Date(deadlines.reviewBy);
  if (deadlines.rectifyBy) out.rectifyBy = new Date(deadlines.rectifyBy);
  if (deadlines.noticeEndsAt) out.noticeEndsAt = new Date(deadlines.noticeEndsAt);
  return out;
}

export function emptyReview(): ApplicationReview {
  return { byReviewer: {}, summaries: {}, rectifications: [], report: null };
}
