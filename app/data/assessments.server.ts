/**
 * Self-assessments (自评): start one per enterprise and cycle on a pinned rubric version, read it
 * with an enterprise-scope check, and save answers with a compare-and-set on `version`.
 *
 * Every save is ONE conditional update of the whole document (answers array recomputed from the
 * loaded document, score summary, version + 1). A save based on an older version writes nothing
 * and gets back what the others changed, so the person can choose; nothing is silently
 * overwritten. The CAS goes through `casUpdate` because FerretDB does not apply a filtered update
 * atomically (docs/decisions/001-compare-and-set.md).
 */
import { findByIds } from "../../models/find-by-ids";
import { Types } from "mongoose";
import { Assessment, type AssessmentDoc, type EvidenceRef, type StoredAnswer } from "../../models/assessment";
import { Enterprise } from "../../models/enterprise";
import { inDistrictScope } from "~/lib/district-scope";
import { rubricSizeClass, type ScaleFlag } from "~/lib/enterprise-master-data";
import { User } from "../../models/user";
import {
  MAX_CHANGES_PER_SAVE,
  MAX_TEXT,
  checkItemAnswer,
  plainAnswer,
  sameAnswer,
  scoreSelfAssessment,
  summaryOf,
  toScoringAnswers,
  type AnswerView,
  type ItemErrors,
  type PerformanceView,
  type ScoreSummary,
} from "~/lib/assessment/answers";
import {
  chinaToday,
  performanceFromAccidents,
  type DerivedConditionId,
  checkAccidentRecord,
  sameAccidentRecord,
  type AccidentRecord,
  type AccidentRecordView,
} from "~/lib/assessment/accidents";
import type { ConflictItem } from "~/lib/assessment/save-protocol";
import type { IndustryKey, SizeClass } from "~/lib/domain";
import type { Permission } from "~/lib/permissions";
import { msg } from "~/lib/validation";
import { validateAnswers, type ItemAnswer, type Rubric, type RubricItem, type WeightProfile } from "~/lib/rubric/schema";
import { recordAudit } from "./audit.server";
import { casUpdate } from "./cas.server";
import { isBlockedFromApplying } from "./certificates/status.server";
import { isCreditListed } from "./credit-check.server";
import { toObjectId, type TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import {
  getPinnedRubricVersion,
  getRubricVersion,
  getWeightProfile,
  listApplicableRubrics,
  listRubricVersions,
  type RubricVersionMeta,
} from "./rubrics.server";
import { readAssessmentView } from "~/data/assessments/view-read.server";

export type AssessmentActor = { id: Types.ObjectId; email: string; role?: string };
export type AssessmentRecord = AssessmentDoc;

/** Cycles are years; a later cycle may start from an earlier one. */
export const CYCLE_PATTERN = /^(20\d{2})$/;

// ---------------------------------------------------------------------------------------------
// Who may see / edit

export type AssessmentViewer = { enterpriseId: Types.ObjectId | null; permissions: readonly Permission[]; districtCodes?: readonly string[] };

/**
 * `read:assessment:any` sees every assessment of the tenant (a district-limited regulator: of its
 * districts); enterprise roles only their own.
 */
export function canSeeAssessment(viewer: AssessmentViewer, assessment: Pick<AssessmentDoc, "enterpriseId" | "districtCode">): boolean {
  if (viewer.permissions.includes("read:assessment:any") && inDistrictScope({ districtCodes: viewer.districtCodes ?? [] }, assessment.districtCode ?? ""))
    return true;
  return (
    viewer.permissions.includes("read:assessment:own") &&
    viewer.enterpriseId !== null &&
    viewer.enterpriseId.equals(assessment.enterpriseId)
  );
}

/** Only the enterprise edits its own self-assessment, and only while it is a draft (DOMAIN.md §5). */
export function canEditAssessment(viewer: AssessmentViewer, assessment: Pick<AssessmentDoc, "enterpriseId" | "state">): boolean {
  return (
    assessment.state === "draft" &&
    viewer.permissions.includes("update:assessment:own") &&
    viewer.enterpriseId !== null &&
    viewer.enterpriseId.equals(assessment.enterpriseId)
  );
}

export async function getAssessment({ tenantId, id }: TenantScope & { id: string | Types.ObjectId }): Promise<AssessmentRecord | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  return Assessment.findOne({ tenantId, _id }).lean<AssessmentRecord>();
}

/** Owner and state only: enough for the permission checks of a save. */
export async function findVisibleAssessmentHead({
  tenantId,
  id,
  viewer,
}: TenantScope & { id: string; viewer: AssessmentViewer }): Promise<Pick<AssessmentDoc, "_id" | "enterpriseId" | "state"> | null> {
  const _id = toObjectId(id);
  if (!_id) return null;
  const doc = await Assessment.findOne({ tenantId, _id })
    .select({ enterpriseId: 1, state: 1, districtCode: 1 })
    .lean<Pick<AssessmentDoc, "_id" | "enterpriseId" | "state" | "districtCode">>();
  return doc && canSeeAssessment(viewer, doc) ? doc : null;
}

/** The assessment if this viewer may see it; otherwise null, so the route answers 404 and ids do not leak. */
export async function findVisibleAssessment({
  tenantId,
  id,
  viewer,
}: TenantScope & { id: string; viewer: AssessmentViewer }): Promise<AssessmentRecord | null> {
  const _id = toObjectId(id);
  const assessment = _id ? await readAssessmentView(tenantId, _id) : null;
  return assessment && canSeeAssessment(viewer, assessment) ? assessment : null;
}

const outlineCache = new Map<string, string[]>();

/**
 * The element ids of a visible assessment's rubric, without loading its answers: what an element
 * page needs to answer 404 for an unknown element. Cached per rubric version (published versions
 * never change).
 */
export async function findAssessmentOutline({
  tenantId,
  id,
  viewer,
}: TenantScope & { id: string; viewer: AssessmentViewer }): Promise<{ elementIds: string[]; state: string } | null> {
  const _id = toObjectId(id);
  if (!_id) return null;
  const doc = await Assessment.findOne({ tenantId, _id })
    .select({ enterpriseId: 1, rubricVersionId: 1, state: 1, districtCode: 1 })
    .lean<Pick<AssessmentDoc, "_id" | "enterpriseId" | "rubricVersionId" | "state" | "districtCode">>();
  if (!doc || !canSeeAssessment(viewer, doc)) return null;
  const key = String(doc.rubricVersionId);
  let elementIds = outlineCache.get(key);
  if (!elementIds) {
    const loaded = await getRubricVersion({ tenantId, id: doc.rubricVersionId });
    if (!loaded) return null;
    elementIds = loaded.rubric.elements.map((e) => e.id);
    if (outlineCache.size > 200) outlineCache.clear();
    outlineCache.set(key, elementIds);
  }
  return { elementIds, state: doc.state };
}

/** The pinned rubric version and the weight profile the score uses. */
export async function loadAssessmentRubric({
  tenantId,
  assessment,
}: TenantScope & { assessment: Pick<AssessmentDoc, "rubricVersionId" | "weightProfileKey"> }): Promise<{
  rubric: Rubric;
  meta: RubricVersionMeta;
  weights: WeightProfile | null;
}> {
  const loaded = await getPinnedRubricVersion({ tenantId, id: assessment.rubricVersionId });
  // A pinned version is never deleted; if it is missing the data is broken, not the request.
  if (!loaded) throw new Error(`rubric version ${String(assessment.rubricVersionId)} of an assessment is missing`);
  const weights = assessment.weightProfileKey ? await getWeightProfile({ key: assessment.weightProfileKey }) : null;
  return { rubric: loaded.rubric, meta: loaded.meta, weights };
}

// ---------------------------------------------------------------------------------------------
// Views (plain JSON for routes)

export function answerView(a: StoredAnswer & { itemId: string }): AnswerView {
  const view: AnswerView = {
    itemId: a.itemId,
    choice: a.choice,
    carriedOver: a.carriedOver === true,
    rev: a.rev ?? 0,
    updatedAt: a.updatedAt ? a.updatedAt.toISOString() : null,
    updatedBy: a.updatedBy ? String(a.updatedBy) : null,
  };
  if (a.choice === "partial") view.deductions = (a.deductions ?? []).map((d) => (d.note ? { rule: d.rule, count: d.count, note: d.note } : { rule: d.rule, count: d.count }));
  if (a.choice === "na") view.naReason = a.naReason ?? "";
  if (a.note) view.note = a.note;
  return view;
}

export function performanceView(p: AssessmentDoc["performance"][number]): PerformanceView {
  return p.note ? { conditionId: p.conditionId, passed: p.passed, note: p.note } : { conditionId: p.conditionId, passed: p.passed };
}

/** The stored accident record as the browser sees it (null: not declared yet). */
export function accidentRecordView(stored: AssessmentDoc["accidentRecord"] | undefined): AccidentRecordView | null {
  if (!stored) return null;
  // Our own data, validated when written; the far-future "today" only skips the date bound.
  const parsed = checkAccidentRecord(stored, "9999-12-31");
  if (!parsed.ok) return null;
  const rev = typeof stored.rev === "number" ? stored.rev : 0;
  const updatedBy = stored.updatedBy ? String(stored.updatedBy) : null;
  const updatedAt = stored.updatedAt instanceof Date ? stored.updatedAt.toISOString() : null;
  return { ...parsed.record, rev, updatedBy, updatedAt };
}

export type EvidenceView = {
  fileId: string;
  itemId: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedAt: string;
  carriedOver: boolean;
};

export function evidenceView(e: EvidenceRef): EvidenceView {
  return {
    fileId: String(e.fileId),
    itemId: e.itemId,
    filename: e.filename,
    contentType: e.contentType,
    size: e.size,
    uploadedAt: e.uploadedAt.toISOString(),
    carriedOver: e.carriedOver === true,
  };
}

/** Display names of the people who wrote answers (user ids → names). */
export async function editorNames(ids: Iterable<Types.ObjectId | string | null | undefined>): Promise<Record<string, string>> {
  const unique = new Set<string>();
  for (const id of ids) if (id) unique.add(String(id));
  if (unique.size === 0) return {};
  const users = await findByIds<{ _id: Types.ObjectId; name: string }>(User, [...unique].map((id) => new Types.ObjectId(id)), { select: { name: 1 } });
  return Object.fromEntries(users.map((u) => [String(u._id), u.name]));
}

export function scoreOf(assessment: Pick<AssessmentDoc, "answers" | "performance">, rubric: Rubric, weights: WeightProfile | null) {
  return scoreSelfAssessment({ rubric, weights, answers: toScoringAnswers(assessment.answers, assessment.performance) });
}

// ---------------------------------------------------------------------------------------------
// Lists

export type AssessmentListItem = {
  id: string;
  enterpriseId: string;
  enterpriseName: string;
  cycle: string;
  rubricKey: string;
  rubricVersion: string;
  rubricTitle: { zh: string; en: string } | null;
  state: string;
  scoreSummary: ScoreSummary | null;
  updatedAt: string;
};

export async function listAssessments({
  tenantId,
  enterpriseId,
  page = 1,
  pageSize = 50,
}: TenantScope & { enterpriseId?: Types.ObjectId; page?: number; pageSize?: number }): Promise<{
  items: AssessmentListItem[];
  total: number;
  page: number;
  pageSize: number;
}> {
  const size = Math.min(Math.max(1, Math.floor(pageSize)), 100);
  const current = Math.max(1, Math.floor(page));
  const filter: Record<string, unknown> & TenantScope = { tenantId };
  if (enterpriseId) filter.enterpriseId = enterpriseId;
  const [docs, total] = await Promise.all([
    Assessment.find(filter)
      .sort({ cycle: -1, updatedAt: -1, _id: 1 })
      .skip((current - 1) * size)
      .limit(size)
      .select({ enterpriseId: 1, cycle: 1, rubricVersionId: 1, rubricKey: 1, rubricVersion: 1, state: 1, scoreSummary: 1, updatedAt: 1 })
      .lean<Array<Pick<AssessmentDoc, "_id" | "enterpriseId" | "cycle" | "rubricVersionId" | "rubricKey" | "rubricVersion" | "state" | "scoreSummary" | "updatedAt">>>(),
    Assessment.countDocuments(filter),
  ]);
  const enterpriseIds = [...new Set(docs.map((d) => String(d.enterpriseId)))].map((id) => new Types.ObjectId(id));
  const [enterprises, rubrics] = await Promise.all([
    enterpriseIds.length > 0
      ? findByIds<{ _id: Types.ObjectId; name: string }>(Enterprise, enterpriseIds, { filter: { tenantId }, select: { name: 1 } })
      : [],
    docs.length > 0 ? listRubricVersions({ tenantId }) : [],
  ]);
  const names = new Map(enterprises.map((e) => [String(e._id), e.name]));
  const titles = new Map(rubrics.map((r) => [String(r._id), r.title]));
  return {
    items: docs.map((d) => ({
      id: String(d._id),
      enterpriseId: String(d.enterpriseId),
      enterpriseName: names.get(String(d.enterpriseId)) ?? "",
      cycle: d.cycle,
      rubricKey: d.rubricKey,
      rubricVersion: d.rubricVersion,
      rubricTitle: titles.get(String(d.rubricVersionId)) ?? null,
      state: d.state,
      scoreSummary: d.scoreSummary,
      updatedAt: d.updatedAt.toISOString(),
    })),
    total,
    page: current,
    pageSize: size,
  };
}

/** What the start form offers: the rubrics that apply to the enterprise (best first) and its previous assessment. */
export async function proposeStart({ tenantId, enterpriseId }: TenantScope & { enterpriseId: Types.ObjectId }): Promise<{
  enterprise: { id: string; name: string; industry: IndustryKey; sizeClass: SizeClass };
  rubrics: RubricVersionMeta[];
  cycles: string[];
} | null> {
  const enterprise = await Enterprise.findOne({ tenantId, _id: enterpriseId })
    .select({ name: 1, industry: 1, sizeClass: 1, scale: 1 })
    .lean<{ _id: Types.ObjectId; name: string; industry: IndustryKey; sizeClass: SizeClass; scale?: ScaleFlag | "" }>();
  if (!enterprise) return null;
  const [rubrics, existing] = await Promise.all([
    // A 规下 enterprise is proposed the small/micro standard (Step 12).
    listApplicableRubrics({ tenantId, industry: enterprise.industry, sizeClass: rubricSizeClass(enterprise.sizeClass, enterprise.scale || null) }),
    Assessment.find({ tenantId, enterpriseId }).select({ cycle: 1 }).lean<Array<{ cycle: string }>>(),
  ]);
  return {
    enterprise: { id: String(enterprise._id), name: enterprise.name, industry: enterprise.industry, sizeClass: enterprise.sizeClass },
    rubrics,
    cycles: existing.map((e) => e.cycle).sort().reverse(),
  };
}

// ---------------------------------------------------------------------------------------------
// Start

export type StartError =
  | "invalidCycle"
  | "enterpriseNotFound"
  | "noApplicableRubric"
  | "rubricNotApplicable"
  | "previousNotFound"
  | "exists"
  /** The enterprise is on a published credit list (Step 6); `listing` names the record. */
  | "creditListed"
  /** A revoked certificate still bars the enterprise (DOMAIN.md §10); `bar` says until when. */
  | "blockedAfterRevocation";

export type StartResult =
  | { ok: true; assessment: AssessmentRecord; carriedOver: { answers: number; evidence: number } }
  | {
      ok: false;
      error: StartError;
      existingId?: string;
      listing?: { recordId: string; name: string };
      bar?: { until: Date; number: string };
    };

/**
 * Starts the self-assessment of `cycle`. The rubric is the best applicable one unless the caller
 * names another applicable version; its exact version is pinned. `fromPrevious` copies answers and
 * evidence references of the latest earlier cycle (or of the given assessment) for items whose id
 * still exists and whose answer still fits the item, all marked as carried over until confirmed.
 */
export async function startAssessment({
  tenantId,
  enterpriseId,
  actor,
  cycle,
  rubricVersionId,
  fromPrevious,
  weightProfileKey = null,
  ip,
}: TenantScope & {
  enterpriseId: Types.ObjectId;
  actor: AssessmentActor;
  cycle: string;
  rubricVersionId?: Types.ObjectId | null;
  fromPrevious?: boolean | Types.ObjectId;
  weightProfileKey?: string | null;
  ip?: string;
}): Promise<StartResult> {
  if (!CYCLE_PATTERN.test(cycle)) return { ok: false, error: "invalidCycle" };
  const enterprise = await Enterprise.findOne({ tenantId, _id: enterpriseId })
    .select({ name: 1, industry: 1, sizeClass: 1, creditCode: 1, districtCode: 1, scale: 1 })
    .lean<{ _id: Types.ObjectId; name: string; industry: IndustryKey; sizeClass: SizeClass; creditCode: string; districtCode: string; scale?: ScaleFlag | "" }>();
  if (!enterprise) return { ok: false, error: "enterpriseNotFound" };
  const listing = await isCreditListed({ tenantId, enterpriseId, creditCode: enterprise.creditCode });
  if (listing) return { ok: false, error: "creditListed", listing };
  const bar = await isBlockedFromApplying({ tenantId, enterpriseId });
  if (bar.blocked)
    return { ok: false, error: "blockedAfterRevocation", bar: { until: bar.until, number: bar.number } };

  const existing = await Assessment.findOne({ tenantId, enterpriseId, cycle }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }>();
  if (existing) return { ok: false, error: "exists", existingId: String(existing._id) };

  const applicable = await listApplicableRubrics({ tenantId, industry: enterprise.industry, sizeClass: rubricSizeClass(enterprise.sizeClass, enterprise.scale || null) });
  const chosenMeta = rubricVersionId ? applicable.find((r) => r._id.equals(rubricVersionId)) : applicable[0];
  if (!chosenMeta) return { ok: false, error: applicable.length === 0 ? "noApplicableRubric" : "rubricNotApplicable" };
  const loaded = await getRubricVersion({ tenantId, id: chosenMeta._id });
  if (!loaded) return { ok: false, error: "noApplicableRubric" };
  const rubric = loaded.rubric;

  let previous: AssessmentRecord | null = null;
  if (fromPrevious instanceof Types.ObjectId) {
    previous = await Assessment.findOne({ tenantId, enterpriseId, _id: fromPrevious }).lean<AssessmentRecord>();
    if (!previous || previous.cycle >= cycle) return { ok: false, error: "previousNotFound" };
  } else if (fromPrevious === true) {
    previous = await Assessment.findOne({ tenantId, enterpriseId, cycle: { $lt: cycle } })
      .sort({ cycle: -1 })
      .lean<AssessmentRecord>();
    if (!previous) return { ok: false, error: "previousNotFound" };
  }

  const items = new Map<string, RubricItem>();
  for (const el of rubric.elements) for (const sub of el.subElements) for (const item of sub.items) items.set(item.id, item);
  const answers: Array<StoredAnswer & { itemId: string }> = [];
  const evidence: EvidenceRef[] = [];
  if (previous) {
    for (const old of previous.answers) {
      const item = items.get(old.itemId);
      if (!item) continue;
      // Same id but changed rules (a deduction rule removed, N/A no longer allowed): not carried.
      const checked = checkItemAnswer(item, plainAnswer(old));
      if (!checked.ok) continue;
      answers.push({
        itemId: old.itemId,
        ...checked.answer,
        carriedOver: true,
        updatedAt: old.updatedAt,
        updatedBy: old.updatedBy,
        rev: 0,
      });
    }
    for (const ref of previous.evidence) {
      if (items.has(ref.itemId)) evidence.push({ ...ref, carriedOver: true });
    }
  }
  const order = new Map([...items.keys()].map((id, i) => [id, i]));
  answers.sort((a, b) => (order.get(a.itemId) ?? 0) - (order.get(b.itemId) ?? 0));

  const weights = weightProfileKey ? await getWeightProfile({ key: weightProfileKey }) : null;
  const breakdown = scoreSelfAssessment({ rubric, weights, answers: toScoringAnswers(answers, []) });
  const now = new Date();
  let created: AssessmentRecord;
  try {
    const doc = await Assessment.create({
      tenantId,
      enterpriseId,
      districtCode: enterprise.districtCode,
      cycle,
      rubricVersionId: chosenMeta._id,
      rubricKey: rubric.key,
      rubricVersion: rubric.version,
      weightProfileKey: weights ? weightProfileKey : null,
      answers,
      performance: [],
      evidence,
      scoreSummary: summaryOf(breakdown),
      previousAssessmentId: previous?._id ?? null,
      state: "draft",
      history: [
        {
          at: now,
          actorId: actor.id,
          actorRole: actor.role ?? "",
          event: "started",
          from: "",
          to: "draft",
          details: { rubric: `${rubric.key}@${rubric.version}`, previousAssessmentId: previous ? String(previous._id) : null },
        },
      ],
      version: 0,
      createdBy: actor.id,
    });
    created = doc.toObject<AssessmentRecord>();
  } catch (error) {
    // The unique (tenantId, enterpriseId, cycle) index decides between two simultaneous starts.
    if (isDuplicateKeyError(error)) {
      const winner = await Assessment.findOne({ tenantId, enterpriseId, cycle }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }>();
      return { ok: false, error: "exists", existingId: winner ? String(winner._id) : undefined };
    }
    throw error;
  }
  await recordAudit({
    tenantId,
    action: "assessment.started",
    actor,
    ip,
    target: { type: "assessment", id: String(created._id), label: `${enterprise.name} ${cycle}` },
    details: {
      rubric: `${rubric.key}@${rubric.version}`,
      previousAssessmentId: previous ? String(previous._id) : null,
      carriedOverAnswers: answers.length,
      carriedOverEvidence: evidence.length,
    },
  });
  return { ok: true, assessment: created, carriedOver: { answers: answers.length, evidence: evidence.length } };
}

// ---------------------------------------------------------------------------------------------
// Save

export type AnswerChange = { itemId: string; answer: unknown };
export type PerformanceChange = { conditionId: string; passed: boolean | null; note?: string };
export type { ConflictItem };

export type SaveResult =
  | {
      ok: true;
      version: number;
      /** The stored answers of the changed items (null: now unanswered). */
      saved: Array<{ itemId: string; answer: AnswerView | null }>;
      performance: PerformanceView[];
      accidentRecord: AccidentRecordView | null;
      scoreSummary: ScoreSummary;
    }
  | { ok: false; error: "notFound" }
  | { ok: false; error: "locked"; state: string }
  | {
      ok: false;
      error: "invalid";
      itemErrors: Record<string, ItemErrors>;
      performanceErrors: Record<string, string>;
      accidentErrors: Record<string, string>;
      formError: string | null;
    }
  | {
      ok: false;
      error: "conflict";
      version: number;
      /** The caller's changed items as they are on the server now. */
      items: ConflictItem[];
      /** Other items saved by someone else after the caller's version. */
      otherItems: ConflictItem[];
      /** Everything as it is now, so the caller can refresh its copy. */
      answers: AnswerView[];
      performance: PerformanceView[];
      accidentRecord: AccidentRecordView | null;
      editors: Record<string, string>;
      lastSavedBy: { id: string; name: string } | null;
    };

function conflictItem(stored: (StoredAnswer & { itemId: string }) | undefined, itemId: string, expectedVersion: number, editors: Record<string, string>): ConflictItem {
  const by = stored?.updatedBy ? String(stored.updatedBy) : null;
  return {
    itemId,
    current: stored ? answerView(stored) : null,
    changedByOthers: (stored?.rev ?? 0) > expectedVersion,
    updatedBy: by ? { id: by, name: editors[by] ?? "" } : null,
    updatedAt: stored?.updatedAt ? stored.updatedAt.toISOString() : null,
  };
}

async function conflictResult(doc: AssessmentRecord, expectedVersion: number, changedIds: string[]): Promise<SaveResult> {
  const accidentBy = doc.accidentRecord?.updatedBy;
  const editors = await editorNames([
    ...doc.answers.map((a) => a.updatedBy),
    doc.lastSavedBy,
    accidentBy instanceof Types.ObjectId ? accidentBy : null,
  ]);
  const byId = new Map(doc.answers.map((a) => [a.itemId, a]));
  const mine = new Set(changedIds);
  return {
    ok: false,
    error: "conflict",
    version: doc.version,
    items: changedIds.map((id) => conflictItem(byId.get(id), id, expectedVersion, editors)),
    otherItems: doc.answers
      .filter((a) => !mine.has(a.itemId) && (a.rev ?? 0) > expectedVersion)
      .map((a) => conflictItem(a, a.itemId, expectedVersion, editors)),
    answers: doc.answers.map(answerView),
    performance: doc.performance.map(performanceView),
    accidentRecord: accidentRecordView(doc.accidentRecord),
    editors,
    lastSavedBy: doc.lastSavedBy ? { id: String(doc.lastSavedBy), name: editors[String(doc.lastSavedBy)] ?? "" } : null,
  };
}

function invalid(
  itemErrors: Record<string, ItemErrors>,
  performanceErrors: Record<string, string> = {},
  formError: string | null = null,
  accidentErrors: Record<string, string> = {},
): SaveResult {
  return { ok: false, error: "invalid", itemErrors, performanceErrors, accidentErrors, formError };
}

/**
 * Saves item answers (null = clear) and safety-performance declarations (passed null = clear) if
 * the assessment is still at `expectedVersion` and a draft. All-or-nothing: one invalid change
 * rejects the whole save.
 */
export async function saveAnswers({
  tenantId,
  id,
  expectedVersion,
  changes,
  performance = [],
  accidentRecord,
  actor,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  expectedVersion: number;
  changes: AnswerChange[];
  performance?: PerformanceChange[];
  /** The whole accident record (null clears it); undefined leaves it as it is. */
  accidentRecord?: unknown;
  actor: AssessmentActor;
  now?: Date;
}): Promise<SaveResult> {
  const doc = await getAssessment({ tenantId, id });
  if (!doc) return { ok: false, error: "notFound" };
  if (changes.length > MAX_CHANGES_PER_SAVE) return invalid({}, {}, msg("assessment.errors.tooManyChanges"));
  const { rubric, weights } = await loadAssessmentRubric({ tenantId, assessment: doc });
  const items = new Map<string, RubricItem>();
  for (const el of rubric.elements) for (const sub of el.subElements) for (const item of sub.items) items.set(item.id, item);

  // Validate everything before looking at the version: bad input is a 400 whatever the state.
  const itemErrors: Record<string, ItemErrors> = {};
  const clean = new Map<string, ItemAnswer | null>();
  for (const change of changes) {
    const item = items.get(change.itemId);
    if (!item) {
      itemErrors[change.itemId] = { choice: msg("assessment.errors.unknownItem") };
      continue;
    }
    if (clean.has(change.itemId)) {
      itemErrors[change.itemId] = { choice: msg("assessment.errors.duplicateItem") };
      continue;
    }
    if (change.answer === null) {
      clean.set(change.itemId, null);
      continue;
    }
    const checked = checkItemAnswer(item, change.answer);
    if (checked.ok) clean.set(change.itemId, checked.answer);
    else itemErrors[change.itemId] = checked.errors;
  }
  const conditionIds = new Set(rubric.performanceConditions.map((c) => c.id));
  const performanceErrors: Record<string, string> = {};
  const perfClean = new Map<string, { passed: boolean; note?: string } | null>();
  for (const p of performance) {
    if (!conditionIds.has(p.conditionId) || perfClean.has(p.conditionId)) performanceErrors[p.conditionId] = msg("assessment.errors.unknownCondition");
    else if (p.note !== undefined && p.note.length > MAX_TEXT) performanceErrors[p.conditionId] = msg("errors.tooLong", { max: MAX_TEXT });
    else if (p.passed === null) perfClean.set(p.conditionId, null);
    else {
      const note = p.note?.trim();
      perfClean.set(p.conditionId, note ? { passed: p.passed, note } : { passed: p.passed });
    }
  }
  let accidentClean: AccidentRecord | null | undefined;
  let accidentErrors: Record<string, string> = {};
  if (accidentRecord === null) accidentClean = null;
  else if (accidentRecord !== undefined) {
    const checked = checkAccidentRecord(accidentRecord, chinaToday(now));
    if (checked.ok) accidentClean = checked.record;
    else accidentErrors = checked.errors;
  }
  if (Object.keys(itemErrors).length > 0 || Object.keys(performanceErrors).length > 0 || Object.keys(accidentErrors).length > 0) {
    return invalid(itemErrors, performanceErrors, null, accidentErrors);
  }

  if (doc.state !== "draft") return { ok: false, error: "locked", state: doc.state };
  const changedIds = [...clean.keys()];
  if (doc.version !== expectedVersion) return conflictResult(doc, expectedVersion, changedIds);

  // Recompute the whole array from the loaded document, in rubric order.
  const byId = new Map(doc.answers.map((a) => [a.itemId, a]));
  const touched = new Set<string>();
  const nextRev = expectedVersion + 1;
  for (const [itemId, answer] of clean) {
    const current = byId.get(itemId);
    if (answer === null) {
      if (current) {
        byId.delete(itemId);
        touched.add(itemId);
      }
      continue;
    }
    // Re-sending the same answer only matters when it confirms a carried-over one.
    if (current && sameAnswer(current, answer) && current.carriedOver !== true) continue;
    byId.set(itemId, { itemId, ...answer, carriedOver: false, updatedAt: now, updatedBy: actor.id, rev: nextRev });
    touched.add(itemId);
  }
  const perfById = new Map(doc.performance.map((p) => [p.conditionId, p]));
  let perfTouched = false;
  for (const [conditionId, value] of perfClean) {
    const current = perfById.get(conditionId);
    if (value === null) {
      if (current) perfById.delete(conditionId);
      perfTouched ||= current !== undefined;
      continue;
    }
    if (current && current.passed === value.passed && (current.note ?? "") === (value.note ?? "")) continue;
    perfById.set(conditionId, { conditionId, ...value });
    perfTouched = true;
  }

  const currentAccidents = accidentRecordView(doc.accidentRecord);
  let nextAccidents: AssessmentDoc["accidentRecord"] = doc.accidentRecord;
  let accidentsTouched = false;
  if (accidentClean !== undefined && !sameAccidentRecord(accidentClean, currentAccidents)) {
    nextAccidents = accidentClean ? { ...accidentClean, rev: nextRev, updatedBy: actor.id, updatedAt: now } : null;
    accidentsTouched = true;
  }

  // The shipped conditions follow from the recorded accidents (12-month totals), whatever was declared.
  const derived = performanceFromAccidents(accidentClean !== undefined ? accidentClean : currentAccidents, chinaToday(now));
  if (derived) {
    for (const c of rubric.performanceConditions) {
      const passed = derived.get(c.id as DerivedConditionId);
      if (passed === undefined) continue;
      const current = perfById.get(c.id);
      if (current?.passed === passed) continue;
      perfById.set(c.id, { conditionId: c.id, passed, ...(current?.note ? { note: current.note } : {}) });
      perfTouched = true;
    }
  }

  const answers = [...items.keys()].flatMap((itemId) => {
    const a = byId.get(itemId);
    return a ? [a] : [];
  });
  const nextPerformance = rubric.performanceConditions.flatMap((c) => {
    const p = perfById.get(c.id);
    return p ? [p] : [];
  });

  if (touched.size === 0 && !perfTouched && !accidentsTouched) {
    return {
      ok: true,
      version: doc.version,
      saved: changedIds.map((itemId) => {
        const a = byId.get(itemId);
        return { itemId, answer: a ? answerView(a) : null };
      }),
      performance: doc.performance.map(performanceView),
      accidentRecord: currentAccidents,
      scoreSummary: doc.scoreSummary ?? summaryOf(scoreOf(doc, rubric, weights)),
    };
  }

  const scoringInput = toScoringAnswers(answers, nextPerformance);
  // Belt and braces: the sheet as a whole must still be valid in the rubric's own format.
  const whole = validateAnswers(rubric, scoringInput);
  if (!whole.ok) return invalid({}, {}, msg("errors.generic"));
  const scoreSummary = summaryOf(scoreSelfAssessment({ rubric, weights, answers: scoringInput }));

  const applied = await casUpdate(
    Assessment,
    { _id: doc._id, tenantId, expectedVersion, extra: { state: "draft" } },
    { $set: { answers, performance: nextPerformance, accidentRecord: nextAccidents, scoreSummary, lastSavedBy: actor.id, lastSavedAt: now } },
  );
  if (!applied) {
    // Another writer holds the claim for this version; its update may still be on its way, and the
    // caller must learn what it changed, so wait (briefly) until the version has moved.
    let latest = await getAssessment({ tenantId, id: doc._id });
    for (let i = 0; i < 25 && latest?.state === "draft" && latest.version === expectedVersion; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      latest = await getAssessment({ tenantId, id: doc._id });
    }
    if (!latest) return { ok: false, error: "notFound" };
    if (latest.state !== "draft") return { ok: false, error: "locked", state: latest.state };
    return conflictResult(latest, expectedVersion, changedIds);
  }
  return {
    ok: true,
    version: nextRev,
    saved: changedIds.map((itemId) => {
      const a = byId.get(itemId);
      return { itemId, answer: a ? answerView(a) : null };
    }),
    performance: nextPerformance.map(performanceView),
    accidentRecord: accidentRecordView(nextAccidents),
    scoreSummary,
  };
}

/** Confirms carried-over answers as they are (the person checked them for this cycle). */
export async function confirmCarriedOver({
  tenantId,
  id,
  expectedVersion,
  itemIds,
  actor,
  now,
}: TenantScope & {
  id: string | Types.ObjectId;
  expectedVersion: number;
  /** Omitted: every carried-over answer. */
  itemIds?: string[];
  actor: AssessmentActor;
  now?: Date;
}): Promise<SaveResult> {
  const doc = await getAssessment({ tenantId, id });
  if (!doc) return { ok: false, error: "notFound" };
  const wanted = itemIds ? new Set(itemIds) : null;
  const changes = doc.answers
    .filter((a) => a.carriedOver === true && (wanted === null || wanted.has(a.itemId)))
    .map((a) => ({ itemId: a.itemId, answer: plainAnswer(a) }));
  return saveAnswers({ tenantId, id: doc._id, expectedVersion, changes, actor, now });
}
