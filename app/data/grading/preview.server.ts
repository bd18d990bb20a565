/** Why each candidate event would be refused now, for the page's buttons (no write). */
import type { AssessmentDoc } from "../../../models/assessment";
import type { TenantSettings } from "../../../models/tenant";
import type { ApplicationEventInput } from "~/workflows/grading-input";
import {
  explainBlocked,
  handledEvents,
  type BlockReason,
  type GradingEventType,
  type GradingSnapshot,
} from "~/workflows/grading.machine";
import type { TenantScope } from "../ids.server";
import { roleFor, type GradingMember } from "./access.server";
import {
  buildEvent,
  offeredLevels,
  submissionFacts,
  type BuildContext,
  type SubmissionFacts,
} from "./facts.server";


/**
 * Why each candidate event would be refused now, for the page's buttons (no write). The
 * payload-dependent reasons (an empty reason…) are left out: the form checks those.
 */
export async function previewBlockedReasons({
  tenantId,
  doc,
  settings,
  snapshot,
  member,
  types,
  now = new Date(),
}: TenantScope & {
  doc: AssessmentDoc;
  settings: TenantSettings;
  snapshot: GradingSnapshot;
  member: GradingMember;
  types: readonly GradingEventType[];
  now?: Date;
}): Promise<{
  byType: Partial<Record<GradingEventType, BlockReason[]>>;
  byLevel: Record<string, BlockReason[]>;
  facts: SubmissionFacts | null;
}> {
  const payloadOnly = new Set<BlockReason>([
    "reason-required",
    "invalid-days",
    "invalid-reviewers",
    "unknown-level",
    "level-above-applied",
    "rectification-items-required",
    "rectification-item-invalid",
  ]);
  const ctxFor = (type: GradingEventType): BuildContext => ({
    tenantId,
    doc,
    settings,
    actor: { id: String(member.user._id), role: roleFor(member, type) ?? "enterprise_member" },
    now,
  });
  const byType: Partial<Record<GradingEventType, BlockReason[]>> = {};
  const byLevel: Record<string, BlockReason[]> = {};
  let facts: SubmissionFacts | null = null;
  const handled = handledEvents(snapshot);
  for (const type of types) {
    if (!handled.includes(type)) continue;
    if (type === "SUBMIT") {
      facts = await submissionFacts({ tenantId, doc, settings, forDisplay: true });
      for (const level of offeredLevels(facts.levels, settings)) {
        const event = await buildEvent({ ...ctxFor(type), facts }, { type: "SUBMIT", appliedLevel: level });
        byLevel[level] = explainBlocked(snapshot, event).filter((r) => !payloadOnly.has(r));
      }
      continue;
    }
    const probe: ApplicationEventInput | null =
      type === "RETURN" ||
      type === "REJECT" ||
      type === "OBJECTION" ||
      type === "UPHOLD_OBJECTION" ||
      type === "ORGANIZER_RETURN_REPORT" ||
      type === "SEND_FULL_PATH"
        ? { type, reason: "-" }
        : type === "DISMISS_OBJECTION"
          ? { type, reason: "-", restartNotice: false }
        : type === "REQUEST_RECTIFICATION"
          ? { type, reason: "-", days: 1, itemIds: [] }
          : type === "REPORT_REVIEW"
            ? { type, recommendedLevel: snapshot.context.appliedLevel, reason: "-" }
            : type === "ASSIGN_REVIEWERS" ||
                type === "ASSIGN_REVIEW_BODY" ||
                type === "CREDIT_LISTED"
              ? null
              : { type };
    if (!probe) {
      byType[type] = [];
      continue;
    }
    const event = await buildEvent(facts ? { ...ctxFor(type), facts } : ctxFor(type), probe);
    byType[type] = explainBlocked(snapshot, event).filter((r) => !payloadOnly.has(r));
  }
  return { byType, byLevel, facts };
}
