/**
 * The panel's consolidated review sheet (评审记录, Step 10): one score per item, written by the
 * member the lead gave the item's element to, each save a compare-and-set on the application's
 * `version` (decision 001), answered in the self-assessment autosave's wire format (decision 004)
 * so the browser reuses the wizard's autosave, local draft and conflict dialog.
 *
 * Applications scored before Step 10 kept one sheet per reviewer (`review.byReviewer`); they are
 * read as a consolidated sheet (per item the lead's score, else the next member's), never lost.
 */
import type { Types } from "mongoose";
import {
  Assessment,
  type ApplicationReview,
  type AssessmentDoc,
  type ReviewSheet,
  type ReviewerAnswer,
} from "../../../models/assessment";
import { Tenant, type TenantSettings } from "../../../models/tenant";
import { connectDb } from "~/db.server";
import { checkItemAnswer, rubricItems, toScoringAnswers, type AnswerView, type ItemErrors } from "~/lib/assessment/answers";
import type { ConflictItem, SaveResponseBody } from "~/lib/assessment/save-protocol";
import {
  confirmationsAfterChange,
  elementOwners,
  gapsInPart,
  leadOf,
  sheetGaps,
  type SheetGaps,
} from "~/lib/review/sheet";
import type { Rubric, WeightProfile } from "~/lib/rubric/schema";
import { scoreAssessment, type ScoreBreakdown } from "~/lib/scoring/engine";
import { msg } from "~/lib/validation";
import { REVIEW_SCORING_STATES } from "~/workflows/grading-input";
import type { ReviewSheetFacts } from "~/workflows/grading.machine";
import { answerView, editorNames, loadAssessmentRubric } from "../assessments.server";
import { recordAudit } from "../audit.server";
import { casUpdate } from "../cas.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { isAssignedReviewer, type GradingMember } from "./access.server";
import { mailPartsChanged, mailSheetComplete } from "./review-sheet-mail.server";
import { emptyReview } from "./snapshot.server";

export type Panel = { reviewers: string[]; lead: string | null };

/** The panel as the workflow recorded it (context), falling back to the query mirror. */
export function panelOf(doc: Pick<AssessmentDoc, "workflow" | "reviewerIds">): Panel {
  const context = (doc.workflow?.context ?? {}) as { reviewers?: unknown; leadReviewerId?: unknown };
  const reviewers = Array.isArray(context.reviewers)
    ? context.reviewers.filter((r): r is string => typeof r === "string")
    : (doc.reviewerIds ?? []).map(String);
  const lead = typeof context.leadReviewerId === "string" ? context.leadReviewerId : null;
  return { reviewers, lead: leadOf(reviewers, lead) };
}

/** The stored sheet, or the one the old per-reviewer scores add up to. */
export function sheetOf(review: ApplicationReview | null | undefined, panel: Panel): ReviewSheet {
  if (review?.sheet) return review.sheet;
  const byItem = new Map<string, ReviewerAnswer>();
  const order = [...(panel.lead ? [panel.lead] : []), ...panel.reviewers, ...Object.keys(review?.byReviewer ?? {})];
  for (const uid of order) for (const a of review?.byReviewer?.[uid] ?? []) if (!byItem.has(a.itemId)) byItem.set(a.itemId, a);
  return { answers: [...byItem.values()], assignments: [], confirmations: [], summary: null };
}

function isScoringState(state: string): boolean {
  return (REVIEW_SCORING_STATES as readonly string[]).includes(state);
}

function rankIn(levels: readonly string[], level: string | null): number {
  return level === null ? -1 : levels.indexOf(level);
}

/** The level the consolidated score gives, never above the level applied for. */
export function scoreLevelFor(rubric: Rubric, breakdown: ScoreBreakdown, appliedLevel: string | null): string | null {
  const levels = rubric.levels.map((l) => l.key);
  const level = breakdown.level;
  if (level === null || appliedLevel === null) return level;
  const applied = rankIn(levels, appliedLevel);
  return applied >= 0 && rankIn(levels, level) < applied ? appliedLevel : level;
}

export function scoreSheet(
  rubric: Rubric,
  weights: WeightProfile | null,
  sheet: Pick<ReviewSheet, "answers">,
  doc: Pick<AssessmentDoc, "performance">,
  settings: Pick<TenantSettings, "grantableLevels">,
): ScoreBreakdown {
  return scoreAssessment({
    rubric,
    weights,
    answers: toScoringAnswers(sheet.answers, doc.performance),
    levelsAllowed: settings.grantableLevels,
    maxCandidates: 0,
  });
}

export type SheetState = {
  rubric: Rubric;
  weights: WeightProfile | null;
  panel: Panel;
  sheet: ReviewSheet;
  owners: Map<string, string | null>;
  gaps: SheetGaps;
  breakdown: ScoreBreakdown;
  scoreLevel: string | null;
};

/** Everything the rules look at, computed once from the document. */
export async function sheetState({
  tenantId,
  doc,
  settings,
}: TenantScope & { doc: AssessmentDoc; settings: Pick<TenantSettings, "grantableLevels"> }): Promise<SheetState> {
  const { rubric, weights } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const panel = panelOf(doc);
  const sheet = sheetOf(doc.review, panel);
  const owners = elementOwners(rubric, sheet.assignments, panel.reviewers, panel.lead);
  const gaps = sheetGaps({ rubric, answers: sheet.answers, reviewers: panel.reviewers, confirmations: sheet.confirmations });
  const breakdown = scoreSheet(rubric, weights, sheet, doc, settings);
  return { rubric, weights, panel, sheet, owners, gaps, breakdown, scoreLevel: scoreLevelFor(rubric, breakdown, doc.appliedLevel) };
}

/** REPORT_REVIEW's facts (the machine refuses the report until they are clean). */
export function reviewSheetFacts(state: SheetState): ReviewSheetFacts {
  return {
    unscoredItemIds: state.gaps.unscored.map((g) => g.itemId),
    naWithoutReasonItemIds: state.gaps.naWithoutReason.map((g) => g.itemId),
    unconfirmedMemberIds: state.gaps.unconfirmed,
    score: state.breakdown.score,
    scoreLevel: state.scoreLevel,
  };
}

async function loadForMember(tenantId: Types.ObjectId, id: string | Types.ObjectId, member: GradingMember) {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  await connectDb();
  const doc = await Assessment.findOne({ tenantId, _id }).lean<AssessmentDoc>();
  if (!doc || !isAssignedReviewer(member, doc) || !member.permissions.includes("review:assessment:assigned")) return null;
  return doc;
}

async function loadSettings(tenantId: Types.ObjectId): Promise<TenantSettings | null> {
  const tenant = await Tenant.findOne({ _id: tenantId }).select({ settings: 1 }).lean<{ settings: TenantSettings }>();
  return tenant?.settings ?? null;
}

function withSheet(doc: AssessmentDoc, sheet: ReviewSheet): ApplicationReview {
  return { ...emptyReview(), ...(doc.review ?? {}), sheet };
}

/** Compare-and-set of the review sheet while the review is still scoring (decision 001). */
function writeSheet(tenantId: Types.ObjectId, doc: AssessmentDoc, expectedVersion: number, sheet: ReviewSheet): Promise<boolean> {
  return casUpdate(
    Assessment,
    { _id: doc._id, tenantId, expectedVersion, extra: { state: { $in: [...REVIEW_SCORING_STATES] } } },
    { $set: { review: withSheet(doc, sheet) } },
  );
}

export type SheetWriteResult =
  | { ok: true; version: number }
  | { ok: false; status: 400; error: "invalid"; message: string; itemIds?: string[] }
  | { ok: false; status: 403; error: "forbidden" }
  | { ok: false; status: 404; error: "notFound" }
  | { ok: false; status: 409; error: "conflict" | "locked"; message: string; version: number };

function conflictOrLocked(doc: AssessmentDoc, expectedVersion: number): SheetWriteResult | null {
  if (!isScoringState(doc.state))
    return { ok: false, status: 409, error: "locked", message: "workflow.errors.reviewNotOpen", version: doc.version };
  if (doc.version !== expectedVersion)
    return { ok: false, status: 409, error: "conflict", message: "errors.conflict", version: doc.version };
  return null;
}

/** A member's sheet change: written by compare-and-set, then audited; the conflict when another write won. */
async function commitMemberSheet(
  write: { tenantId: Types.ObjectId; doc: AssessmentDoc; member: GradingMember; expectedVersion: number; sheet: ReviewSheet; now: Date },
  audit: { action: string; details: Record<string, unknown> },
): Promise<SheetWriteResult | null> {
  const { tenantId, doc, member, expectedVersion, sheet, now } = write;
  if (!(await writeSheet(tenantId, doc, expectedVersion, sheet)))
    return { ok: false, status: 409, error: "conflict", message: "errors.conflict", version: expectedVersion };
  await recordAudit({
    tenantId,
    action: audit.action,
    actor: { id: member.user._id, email: member.user.email },
    target: { type: "application", id: String(doc._id) },
    details: audit.details,
    at: now,
  });
  return null;
}

// ---------------------------------------------------------------------------------------------
// Saving scores (the autosave endpoint)

export type SheetChange = { itemId: string; answer: unknown };

function sheetAnswerViews(sheet: ReviewSheet, itemIds: ReadonlySet<string>): AnswerView[] {
  return sheet.answers.filter((a) => itemIds.has(a.itemId)).map(answerView);
}

/**
 * Saves the member's scores of items in their part; every change is checked with the
 * self-assessment's rules (all or nothing). 409 with the current answers of the elements
 * concerned when someone saved first, so the browser can merge or ask.
 */
export async function saveReviewSheet({
  tenantId,
  id,
  member,
  expectedVersion,
  changes,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  member: GradingMember;
  expectedVersion: number;
  changes: SheetChange[];
  now?: Date;
}): Promise<{ status: number; body: SaveResponseBody } | null> {
  const doc = await loadForMember(tenantId, id, member);
  const settings = doc ? await loadSettings(tenantId) : null;
  if (!doc || !settings) return null;
  const state = await sheetState({ tenantId, doc, settings });
  const me = String(member.user._id);
  const items = new Map(rubricItems(state.rubric).map((item) => [item.id, item]));
  const elementOf = new Map<string, string>();
  for (const el of state.rubric.elements) for (const sub of el.subElements) for (const item of sub.items) elementOf.set(item.id, el.id);

  const itemErrors: Record<string, ItemErrors> = {};
  const clean = new Map<string, ReviewerAnswer | null>();
  for (const change of changes) {
    const item = items.get(change.itemId);
    if (!item || clean.has(change.itemId)) {
      itemErrors[change.itemId] = { choice: msg("assessment.errors.unknownItem") };
      continue;
    }
    if (state.owners.get(elementOf.get(item.id) ?? "") !== me) {
      itemErrors[change.itemId] = { choice: msg("reviewSheet.errors.notYourPart") };
      continue;
    }
    if (change.answer === null) {
      clean.set(change.itemId, null);
      continue;
    }
    const checked = checkItemAnswer(item, change.answer);
    if (!checked.ok) {
      itemErrors[change.itemId] = checked.errors;
      continue;
    }
    clean.set(change.itemId, { itemId: item.id, ...checked.answer, updatedAt: now, updatedBy: member.user._id, rev: expectedVersion + 1 });
  }
  if (Object.keys(itemErrors).length > 0)
    return { status: 400, body: { ok: false, error: "invalid", itemErrors, performanceErrors: {}, accidentErrors: {}, formError: null } };
  if (!isScoringState(doc.state)) return { status: 409, body: { ok: false, error: "locked", state: doc.state } };

  const touchedElements = new Set([...clean.keys()].map((itemId) => elementOf.get(itemId) ?? ""));
  const scope = new Set([...elementOf].filter(([, el]) => touchedElements.has(el)).map(([itemId]) => itemId));
  if (doc.version !== expectedVersion) return { status: 409, body: await conflictBody(doc, state.sheet, clean, scope, expectedVersion) };

  const byItem = new Map(state.sheet.answers.map((a) => [a.itemId, a]));
  for (const [itemId, answer] of clean) {
    if (answer) byItem.set(itemId, answer);
    else byItem.delete(itemId);
  }
  const answers = [...items.keys()].flatMap((itemId) => {
    const a = byItem.get(itemId);
    return a ? [a] : [];
  });
  const breakdown = scoreSheet(state.rubric, state.weights, { answers }, doc, settings);
  const summary = {
    score: breakdown.score,
    level: breakdown.level,
    answered: breakdown.counts.answered + breakdown.counts.na,
    items: breakdown.counts.items,
    savedAt: now,
  };
  const sheet: ReviewSheet = {
    ...state.sheet,
    answers,
    // Changing one's part after confirming it withdraws the confirmation.
    confirmations: clean.size > 0 ? confirmationsAfterChange(state.sheet.confirmations, [me]) : state.sheet.confirmations,
    summary,
  };
  const won = await writeSheet(tenantId, doc, expectedVersion, sheet);
  if (!won) {
    const latest = await latestAfterLoss(tenantId, doc._id, expectedVersion);
    if (!latest || !isScoringState(latest.state)) return { status: 409, body: { ok: false, error: "locked", state: latest?.state ?? doc.state } };
    return { status: 409, body: await conflictBody(latest, sheetOf(latest.review, panelOf(latest)), clean, scope, expectedVersion) };
  }
  const saved = [...clean].map(([itemId, answer]) => ({ itemId, answer: answer ? answerView(answer) : null }));
  return {
    status: 200,
    body: {
      ok: true,
      version: expectedVersion + 1,
      saved,
      performance: [],
      accidentRecord: null,
      scoreSummary: { score: summary.score, level: summary.level, eligible: breakdown.eligible, answered: summary.answered, items: summary.items },
    },
  };
}

/** The document after a lost compare-and-set: the winner may still be writing, so wait for it briefly. */
async function latestAfterLoss(tenantId: Types.ObjectId, _id: Types.ObjectId, expectedVersion: number): Promise<AssessmentDoc | null> {
  for (let attempt = 0; ; attempt++) {
    const latest = await Assessment.findOne({ tenantId, _id }).lean<AssessmentDoc>();
    if (!latest || latest.version !== expectedVersion || attempt >= 10) return latest;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function conflictBody(
  doc: AssessmentDoc,
  sheet: ReviewSheet,
  changes: ReadonlyMap<string, unknown>,
  scope: ReadonlySet<string>,
  expectedVersion: number,
): Promise<SaveResponseBody> {
  const current = new Map(sheet.answers.map((a) => [a.itemId, a]));
  const names = await editorNames(sheet.answers.filter((a) => scope.has(a.itemId)).map((a) => a.updatedBy));
  const conflictItem = (itemId: string): ConflictItem => {
    const a = current.get(itemId);
    const by = a?.updatedBy ? String(a.updatedBy) : null;
    return {
      itemId,
      current: a ? answerView(a) : null,
      changedByOthers: (a?.rev ?? 0) > expectedVersion,
      updatedBy: by ? { id: by, name: names[by] ?? "" } : null,
      updatedAt: a?.updatedAt ? a.updatedAt.toISOString() : null,
    };
  };
  return {
    ok: false,
    error: "conflict",
    version: doc.version,
    items: [...changes.keys()].map(conflictItem),
    otherItems: [],
    answers: sheetAnswerViews(sheet, scope),
    performance: [],
    accidentRecord: null,
    editors: names,
    lastSavedBy: null,
  };
}

// ---------------------------------------------------------------------------------------------
// The lead splits the elements; members confirm their part

/** The lead gives elements to panel members (an element left out stays with the lead). */
export async function assignSheetElements({
  tenantId,
  id,
  member,
  expectedVersion,
  assignments,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  member: GradingMember;
  expectedVersion: number;
  assignments: Array<{ elementId: string; userId: string }>;
  now?: Date;
}): Promise<SheetWriteResult & { changedUsers?: string[] }> {
  const doc = await loadForMember(tenantId, id, member);
  const settings = doc ? await loadSettings(tenantId) : null;
  if (!doc || !settings) return { ok: false, status: 404, error: "notFound" };
  const state = await sheetState({ tenantId, doc, settings });
  if (state.panel.lead !== String(member.user._id)) return { ok: false, status: 403, error: "forbidden" };
  const elements = new Set(state.rubric.elements.map((e) => e.id));
  const bad = assignments.filter((a) => !elements.has(a.elementId) || !state.panel.reviewers.includes(a.userId));
  if (bad.length > 0 || new Set(assignments.map((a) => a.elementId)).size !== assignments.length)
    return { ok: false, status: 400, error: "invalid", message: "reviewSheet.errors.badAssignment" };
  const refusal = conflictOrLocked(doc, expectedVersion);
  if (refusal) return refusal;

  const next = assignments.filter((a) => a.userId !== state.panel.lead);
  const after = elementOwners(state.rubric, next, state.panel.reviewers, state.panel.lead);
  const changedUsers = new Set<string>();
  for (const [elementId, owner] of after) {
    const before = state.owners.get(elementId) ?? null;
    if (before === owner) continue;
    if (before) changedUsers.add(before);
    if (owner) changedUsers.add(owner);
  }
  const sheet: ReviewSheet = {
    ...state.sheet,
    assignments: next,
    confirmations: confirmationsAfterChange(state.sheet.confirmations, changedUsers),
  };
  const lost = await commitMemberSheet({ tenantId, doc, member, expectedVersion, sheet, now }, { action: "review.sheet.assign", details: { assignments: next, changedUsers: [...changedUsers] } });
  if (lost) return lost;
  await mailPartsChanged({ tenantId, doc, rubric: state.rubric, owners: after, changedUsers: [...changedUsers], version: expectedVersion + 1, now });
  return { ok: true, version: expectedVersion + 1, changedUsers: [...changedUsers] };
}

/** A member confirms their part: refused while any item of it is unscored (listed). */
export async function confirmSheetPart({
  tenantId,
  id,
  member,
  expectedVersion,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  member: GradingMember;
  expectedVersion: number;
  now?: Date;
}): Promise<SheetWriteResult> {
  const doc = await loadForMember(tenantId, id, member);
  const settings = doc ? await loadSettings(tenantId) : null;
  if (!doc || !settings) return { ok: false, status: 404, error: "notFound" };
  const state = await sheetState({ tenantId, doc, settings });
  const me = String(member.user._id);
  if (!state.panel.reviewers.includes(me)) return { ok: false, status: 403, error: "forbidden" };
  const refusal = conflictOrLocked(doc, expectedVersion);
  if (refusal) return refusal;
  const open = gapsInPart(state.gaps, state.owners, me);
  if (open.length > 0)
    return { ok: false, status: 400, error: "invalid", message: "reviewSheet.errors.partIncomplete", itemIds: open.map((g) => g.itemId) };
  const sheet: ReviewSheet = {
    ...state.sheet,
    confirmations: [...confirmationsAfterChange(state.sheet.confirmations, [me]), { userId: me, at: now, version: expectedVersion + 1 }],
  };
  const lost = await commitMemberSheet({ tenantId, doc, member, expectedVersion, sheet, now }, { action: "review.sheet.confirm", details: { score: state.breakdown.score } });
  if (lost) return lost;
  const complete = state.gaps.unscored.length + state.gaps.naWithoutReason.length === 0;
  const othersConfirmed = state.gaps.unconfirmed.every((uid) => uid === me);
  if (complete && othersConfirmed)
    await mailSheetComplete({ tenantId, doc, lead: state.panel.lead, score: state.breakdown.score, version: expectedVersion + 1, now });
  return { ok: true, version: expectedVersion + 1 };
}
