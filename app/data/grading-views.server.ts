/**
 * Read models of the grading workflow for the workspaces: the application page, the regulator's
 * queues, the reviewer's assignments and the public notice list. Plain JSON (ISO dates), so
 * routes pass them straight to the browser.
 */
import { getTenantById } from "./tenants.server";
import { findByIds } from "../../models/find-by-ids";
import { Types } from "mongoose";
import { ApplicationRow, type ApplicationRowDoc } from "../../models/application-row";
import { type AssessmentDoc } from "../../models/assessment";
import { Enterprise } from "../../models/enterprise";
import { minPanelSizeOf, type TenantSettings } from "../../models/tenant";
import { connectDb } from "~/db.server";
import type { MessageKey } from "~/i18n";
import type { ScoreSummary } from "~/lib/assessment/answers";
import { can } from "~/lib/permissions";
import type { LocalizedText } from "~/lib/rubric/schema";
import {
  MEMBER_EVENTS,
  type ApplicationQueue,
} from "~/workflows/grading-input";
import {
  GradingSnapshotError,
  GradingVersionMismatchError,
  handledEvents,
  stateKeyOf,
  topStateOf,
  type BlockReason,
  type GradingEventType,
  type GradingSnapshot,
} from "~/workflows/grading.machine";
import { reviewResultsAccess } from "./grading/review-results.server";
import { editorNames } from "./assessments.server";
import { getReviewBody, listReviewBodies } from "./review-bodies/bodies.server";
import {
  canViewApplication,
  memberMaySend,
  offeredLevels,
  previewBlockedReasons,
  snapshotOfApplication,
  type GradingMember,
} from "./grading.server";
import type { DistrictScoped } from "~/lib/district-scope";
import { applicationRows, enterprisesById } from "./grading/application-rows-cache.server";
import { selectQueueRows } from "./grading/application-queues";
import { toObjectId, type TenantScope } from "./ids.server";
import { getPinnedRubricVersion } from "./rubrics.server";
import { oncePerRequest } from "~/request-scope.server";
import { readAssessmentView } from "~/data/assessments/view-read.server";

export type LevelView = { key: string; name: LocalizedText; minScore: number };

export type HistoryView = {
  at: string;
  actorName: string;
  actorRole: string;
  event: string;
  from: string;
  to: string;
  reason: string | null;
};

export type DeadlinesView = {
  acceptBy?: string;
  reviewBy?: string;
  rectifyBy?: string;
  noticeEndsAt?: string;
};

function deadlinesView(d: AssessmentDoc["deadlines"]): DeadlinesView {
  const out: DeadlinesView = {};
  if (d?.acceptBy) out.acceptBy = d.acceptBy.toISOString();
  if (d?.reviewBy) out.reviewBy = d.reviewBy.toISOString();
  if (d?.rectifyBy) out.rectifyBy = d.rectifyBy.toISOString();
  if (d?.noticeEndsAt) out.noticeEndsAt = d.noticeEndsAt.toISOString();
  return out;
}

async function levelsOf(
  tenantId: Types.ObjectId,
  rubricVersionId: Types.ObjectId,
): Promise<{ levels: LevelView[]; title: LocalizedText } | null> {
  const loaded = await getPinnedRubricVersion({ tenantId, id: rubricVersionId });
  if (!loaded) return null;
  return {
    levels: loaded.rubric.levels.map((l) => ({ key: l.key, name: l.name, minScore: l.minScore })),
    title: loaded.rubric.title,
  };
}

/** Once per GET request: the application, review and panel views of one page each ask. */
function tenantSettings(tenantId: Types.ObjectId): Promise<TenantSettings | null> {
  return oncePerRequest(`tenant-settings:${String(tenantId)}`, async () => {
    const t = await getTenantById(tenantId);
    return t?.settings ?? null;
  });
}

function historyView(
  doc: Pick<AssessmentDoc, "history">,
  names: Record<string, string>,
): HistoryView[] {
  return doc.history.map((h) => ({
    at: h.at.toISOString(),
    actorName: h.actorId ? (names[String(h.actorId)] ?? "") : "",
    actorRole: h.actorRole,
    event: h.event,
    from: h.from,
    to: h.to,
    reason: h.reason ?? null,
  }));
}

/** The workflow state of a stored application as the UI needs it; null when it cannot be resumed. */
function snapshotOrNull(
  doc: AssessmentDoc,
  settings: TenantSettings,
): { snapshot: GradingSnapshot | null; error: MessageKey | null } {
  try {
    return { snapshot: snapshotOfApplication(doc, settings), error: null };
  } catch (error) {
    if (error instanceof GradingVersionMismatchError)
      return { snapshot: null, error: "workflow.errors.outdated" };
    if (error instanceof GradingSnapshotError)
      return { snapshot: null, error: "workflow.errors.damaged" };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Application page

export type ReviewBodyOption = { id: string; name: string };

/** The tenant's active review bodies, for the regulator's ASSIGN_REVIEW_BODY form. */
export async function listReviewBodyOptions({ tenantId }: TenantScope): Promise<ReviewBodyOption[]> {
  const rows = await listReviewBodies({ tenantId, activeOnly: true });
  return rows.map((b) => ({ id: String(b._id), name: b.name }));
}

/** How many unanswered items the submit form lists by name (a new draft has every item unanswered). */
export const UNANSWERED_LISTED = 20;

export type ApplicationPage = NonNullable<Awaited<ReturnType<typeof getApplicationPage>>>;

export async function getApplicationPage({
  tenantId,
  id,
  member,
  now = new Date(),
}: TenantScope & { id: string; member: GradingMember; now?: Date }) {
  const _id = toObjectId(id);
  if (!_id) return null;
  await connectDb();
  const doc = await readAssessmentView(tenantId, _id);
  if (!doc || !canViewApplication(member, doc)) return null;
  const settings = await tenantSettings(tenantId);
  if (!settings) return null;
  const [enterprise, rubric] = await Promise.all([
    Enterprise.findOne({ tenantId, _id: doc.enterpriseId })
      .select({ name: 1, creditCode: 1 })
      .lean<{ name: string; creditCode: string }>(),
    levelsOf(tenantId, doc.rubricVersionId),
  ]);
  const reviewerIds = (doc.reviewerIds ?? []).map(String);
  const names = await editorNames([
    ...doc.history.map((h) => h.actorId),
    ...reviewerIds,
    doc.review?.report?.by ?? null,
  ]);
  const { snapshot, error } = snapshotOrNull(doc, settings);

  const candidates = snapshot
    ? MEMBER_EVENTS.filter(
        (t) =>
          handledEvents(snapshot).includes(t) &&
          memberMaySend(member, t, doc) &&
          // Withdrawing a never-submitted draft would close the cycle for nothing: not offered.
          !(t === "WITHDRAW" && topStateOf(snapshot) === "draft" && !doc.submittedAt),
      )
    : [];
  const preview = snapshot
    ? await previewBlockedReasons({
        tenantId,
        doc,
        settings,
        snapshot,
        member,
        types: candidates,
        now,
      })
    : { byType: {}, byLevel: {}, facts: null };
  const clean = (reasons: BlockReason[] | undefined) => reasons ?? [];
  const actions = candidates.map((type) => ({
    type,
    blocked: type === "SUBMIT" ? [] : clean(preview.byType[type]),
  }));
  const levelViews = rubric?.levels ?? [];
  const levelName = (key: string | null) =>
    key ? (levelViews.find((l) => l.key === key)?.name ?? { zh: key, en: key }) : null;
  const offered = offeredLevels(
    levelViews.map((l) => l.key),
    settings,
  ).map((key) => ({
    key,
    name: levelName(key) ?? { zh: key },
    minScore: levelViews.find((l) => l.key === key)?.minScore ?? 0,
    blocked: clean(preview.byLevel[key]),
  }));

  // Objectors' contacts are the authority's only (not the organizing unit's, not the enterprise's).
  const seesObjections = can(member.permissions, "read:objection:any");
  const reviewBodyOptions = candidates.includes("ASSIGN_REVIEW_BODY")
    ? await listReviewBodyOptions({ tenantId })
    : [];
  const reviewBody = doc.reviewBodyId
    ? await getReviewBody({ tenantId, id: doc.reviewBodyId })
    : null;
  const review = doc.review ?? null;
  const deadlines = deadlinesView(doc.deadlines);
  const overdue = Object.fromEntries(
    Object.entries(deadlines).map(([k, v]) => [k, new Date(v).getTime() < now.getTime()]),
  );

  return {
    id: String(doc._id),
    version: doc.version,
    cycle: doc.cycle,
    enterpriseId: String(doc.enterpriseId),
    enterpriseName: enterprise?.name ?? "",
    creditCode: enterprise?.creditCode ?? "",
    rubricTitle: rubric?.title ?? null,
    rubricVersion: doc.rubricVersion,
    state: doc.state,
    stateKey: snapshot ? stateKeyOf(snapshot) : doc.state,
    topState: snapshot ? topStateOf(snapshot) : (doc.state.split(".")[0] ?? doc.state),
    workflowError: error,
    appliedLevel: doc.appliedLevel,
    appliedLevelName: levelName(doc.appliedLevel),
    reportedLevel: snapshot?.context.reportedLevel ?? null,
    noticeDaysElapsed: snapshot?.context.noticeDaysElapsed ?? 0,
    reportedLevelName: levelName(snapshot?.context.reportedLevel ?? null),
    scoreSummary: doc.scoreSummary as ScoreSummary | null,
    submittedAt: doc.submittedAt ? doc.submittedAt.toISOString() : null,
    deadlines,
    overdue,
    reviewers: reviewerIds.map((rid) => ({ id: rid, name: names[rid] ?? "" })),
    reviewersRequired: snapshot?.context.reviewersRequired ?? minPanelSizeOf(settings),
    // From the workflow, not from `pendingCertificate` (Step 5 clears that marker once it issued the certificate).
    certification:
      snapshot &&
      (topStateOf(snapshot) === "certified" || topStateOf(snapshot) === "certifiedLowerLevel") &&
      snapshot.context.reportedLevel
        ? {
            level: snapshot.context.reportedLevel,
            levelName: levelName(snapshot.context.reportedLevel),
            lowerLevel: topStateOf(snapshot) === "certifiedLowerLevel",
          }
        : null,
    report: review?.report
      ? {
          at: review.report.at.toISOString(),
          byName: review.report.by ? (names[String(review.report.by)] ?? "") : "",
          recommendedLevel: review.report.recommendedLevel,
          recommendedLevelName: levelName(review.report.recommendedLevel),
          reason: review.report.reason,
          score: review.report.score,
          scoreLevelName: levelName(review.report.scoreLevel ?? null),
        }
      : null,
    /** The item comparison and the review report PDF are open to this member now (Step 10). */
    reviewResultsVisible: reviewResultsAccess(member, doc, settings) === "allowed",
    rectifications: (review?.rectifications ?? []).map((r) => ({
      at: r.at.toISOString(),
      reason: r.reason,
      days: r.days,
      rectifyBy: r.rectifyBy ? r.rectifyBy.toISOString() : null,
    })),
    objections: seesObjections
      ? (doc.objections ?? []).map((o) => ({
          at: o.at.toISOString(),
          name: o.name,
          contact: o.contact,
          statement: o.statement,
        }))
      : [],
    history: historyView(doc, names),
    offeredLevels: offered,
    facts: preview.facts
      ? {
          score: preview.facts.score.selfScore,
          eligibleLevel: preview.facts.score.eligibleLevel,
          eligibleLevelName: levelName(preview.facts.score.eligibleLevel),
          missingEvidence: preview.facts.requiredEvidenceMissing.length,
          /** Unanswered applicable items (the first ones, linked; the summary lists them all). */
          unansweredCount: preview.facts.unanswered.length,
          unanswered: preview.facts.unanswered.slice(0, UNANSWERED_LISTED),
          /** The published credit record that bars submission (Step 6), by name. */
          creditListing: preview.facts.creditListed?.name ?? null,
        }
      : null,
    actions,
    reviewBodyOptions,
    reviewBody: reviewBody ? { id: String(reviewBody._id), name: reviewBody.name } : null,
    leadReviewerId: doc.leadReviewerId ? String(doc.leadReviewerId) : null,
    canOpenSelfAssessment:
      can(member.permissions, "read:assessment:any") ||
      can(member.permissions, "read:assessment:own"),
    canReview:
      reviewerIds.includes(String(member.user._id)) &&
      can(member.permissions, "review:assessment:assigned"),
  };
}

// ---------------------------------------------------------------------------------------------
// Lists

export type ApplicationListItem = {
  id: string;
  enterpriseName: string;
  creditCode: string;
  cycle: string;
  state: string;
  returned: boolean;
  appliedLevel: string | null;
  appliedLevelName: LocalizedText | null;
  score: number | null;
  submittedAt: string | null;
  updatedAt: string;
  deadlines: DeadlinesView;
  overdue: Record<string, boolean>;
  reviewerCount: number;
};

/**
 * Lists read the slim list view (`application_rows`, decision 027), never the assessments: an
 * assessment carries all its answers, and FerretDB decodes a whole document before projecting.
 */
type ListDoc = Pick<
  ApplicationRowDoc,
  | "_id"
  | "enterpriseId"
  | "cycle"
  | "state"
  | "appliedLevel"
  | "scoreSummary"
  | "submittedAt"
  | "updatedAt"
  | "deadlines"
  | "reviewerIds"
  | "rubricVersionId"
  | "workflow"
>;
const LIST_FIELDS = {
  enterpriseId: 1,
  cycle: 1,
  state: 1,
  appliedLevel: 1,
  scoreSummary: 1,
  submittedAt: 1,
  updatedAt: 1,
  deadlines: 1,
  reviewerIds: 1,
  rubricVersionId: 1,
  workflow: 1,
} as const;

function isReturnedDraft(doc: Pick<ListDoc, "state" | "workflow">): boolean {
  const value = doc.workflow?.value;
  return (
    doc.state === "draft" &&
    typeof value === "object" &&
    value !== null &&
    "draft" in value &&
    value.draft === "returned"
  );
}

async function listItems(
  tenantId: Types.ObjectId,
  docs: readonly ListDoc[],
  now: Date,
  /** The tenant's enterprises by id (the regulator's lists, from the cached rows); else read by `_id`. */
  known?: ReadonlyMap<string, { name: string; creditCode: string }>,
): Promise<ApplicationListItem[]> {
  const enterpriseIds = [...new Set(docs.map((d) => String(d.enterpriseId)))].map(
    (id) => new Types.ObjectId(id),
  );
  const enterprises = known
    ? []
    : enterpriseIds.length > 0
      ? await findByIds<{ _id: Types.ObjectId; name: string; creditCode: string }>(Enterprise, enterpriseIds, {
          filter: { tenantId },
          select: { name: 1, creditCode: 1 },
        })
      : [];
  const byId: ReadonlyMap<string, { name: string; creditCode: string }> =
    known ?? new Map(enterprises.map((e) => [String(e._id), e]));
  const rubricLevels = new Map<string, LevelView[]>();
  for (const rid of new Set(docs.map((d) => String(d.rubricVersionId)))) {
    rubricLevels.set(rid, (await levelsOf(tenantId, new Types.ObjectId(rid)))?.levels ?? []);
  }
  return docs.map((d) => {
    const deadlines = deadlinesView(d.deadlines);
    const levels = rubricLevels.get(String(d.rubricVersionId)) ?? [];
    return {
      id: String(d._id),
      enterpriseName: byId.get(String(d.enterpriseId))?.name ?? "",
      creditCode: byId.get(String(d.enterpriseId))?.creditCode ?? "",
      cycle: d.cycle,
      state: d.state,
      returned: isReturnedDraft(d),
      appliedLevel: d.appliedLevel,
      appliedLevelName: d.appliedLevel
        ? (levels.find((l) => l.key === d.appliedLevel)?.name ?? null)
        : null,
      score: d.scoreSummary?.score ?? null,
      submittedAt: d.submittedAt ? d.submittedAt.toISOString() : null,
      updatedAt: d.updatedAt.toISOString(),
      deadlines,
      overdue: Object.fromEntries(
        Object.entries(deadlines).map(([k, v]) => [k, new Date(v).getTime() < now.getTime()]),
      ),
      reviewerCount: (d.reviewerIds ?? []).length,
    };
  });
}

/**
 * The authority's queues: applications that were submitted at least once, counted per queue, and
 * the page of one queue (optionally filtered by enterprise name or credit code, and by cycle).
 */
export async function listApplicationQueues({
  tenantId,
  queue,
  q,
  cycle,
  page = 1,
  pageSize = 50,
  now = new Date(),
  states,
  overdue,
  enterprise,
  scope = { districtCodes: [] },
}: TenantScope & {
  /** The reader's district limit (Step 12): counts and pages never leave it. */
  scope?: DistrictScoped;
  queue: ApplicationQueue;
  q?: string;
  cycle?: string;
  page?: number;
  pageSize?: number;
  now?: Date;
  /** Dashboard links (Step 8): these states instead of the queue's, … */
  states?: readonly string[];
  /** … only overdue ones (acceptance: still submitted past acceptBy; review: past reviewBy), … */
  overdue?: "acceptance" | "review" | "any";
  /** … only enterprises of this district / industry / size class. */
  enterprise?: { districtCode?: string; industry?: string; sizeClass?: string };
}) {
  await connectDb();
  const [view, enterprises] = await Promise.all([applicationRows(tenantId), enterprisesById(tenantId)]);
  const size = Math.min(Math.max(1, Math.floor(pageSize)), 100);
  const current = Math.max(1, Math.floor(page));
  // Oldest submission first where a deadline runs from it; otherwise the latest change first.
  const ordered = queue === "acceptance" ? view.bySubmitted : view.byUpdated;
  const { counts, rows } = selectQueueRows(ordered, enterprises, {
    queue,
    q,
    cycle,
    now,
    states,
    overdue,
    enterprise,
    scope,
  });
  const items = rows.slice((current - 1) * size, current * size);
  return {
    counts,
    items: await listItems(tenantId, items, now, enterprises),
    total: rows.length,
    page: current,
    pageSize: size,
  };
}

/** The enterprise's own applications (every cycle, drafts included). */
export async function listEnterpriseApplications({
  tenantId,
  enterpriseId,
  now = new Date(),
}: TenantScope & { enterpriseId: Types.ObjectId; now?: Date }) {
  await connectDb();
  const docs = await ApplicationRow.find({ tenantId, enterpriseId })
    .sort({ cycle: -1, _id: 1 })
    .limit(100)
    .select(LIST_FIELDS)
    .lean<ListDoc[]>();
  return listItems(tenantId, docs, now);
}

/** The reviewer's assignments, running ones first. */
export async function listReviewAssignments({
  tenantId,
  reviewerId,
  now = new Date(),
}: TenantScope & { reviewerId: Types.ObjectId; now?: Date }) {
  await connectDb();
  const docs = await ApplicationRow.find({ tenantId, reviewerIds: reviewerId })
    .sort({ updatedAt: -1, _id: 1 })
    .limit(200)
    .select(LIST_FIELDS)
    .lean<ListDoc[]>();
  const items = await listItems(tenantId, docs, now);
  const running = (s: string) => s === "reviewAssigned" || s.startsWith("underReview");
  return [...items.filter((i) => running(i.state)), ...items.filter((i) => !running(i.state))];
}

/** A review body's applications (its admin's queue): those waiting for a panel first. */
export async function listReviewBodyApplications({
  tenantId,
  reviewBodyIds,
  now = new Date(),
}: TenantScope & { reviewBodyIds: readonly string[]; now?: Date }) {
  await connectDb();
  const bodies = reviewBodyIds.flatMap((id) => {
    const oid = toObjectId(id);
    return oid ? [oid] : [];
  });
  // An admin runs one body (a handful at most): one bounded query per body on its index.
  const pages = await Promise.all(
    bodies.map((reviewBodyId) =>
      ApplicationRow.find({ tenantId, reviewBodyId })
        .sort({ updatedAt: -1, _id: 1 })
        .limit(200)
        .select(LIST_FIELDS)
        .lean<ListDoc[]>(),
    ),
  );
  const items = await listItems(tenantId, pages.flat(), now);
  const waiting = (s: string) => s === "reviewBodyAssigned";
  return [...items.filter((i) => waiting(i.state)), ...items.filter((i) => !waiting(i.state))];
}

// ---------------------------------------------------------------------------------------------
// Public notice (公示): no login

// The public notices moved to their read model (decision 029); callers keep importing them here.
export { listPublicNotices, type PublicNoticeItem } from "./grading/public-notices.server";

export type { GradingEventType };
