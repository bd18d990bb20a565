/**
 * A tenant's own rubric versions: clone a published version into a draft, edit the draft
 * (validated, compare-and-set on `revision`), compare it with its parent, preview how it would
 * re-score the tenant's submitted assessments, and publish it. Published versions never change:
 * every write below is conditional on `status: "draft"` and on this tenant owning the document.
 */
import { findByIds } from "../../models/find-by-ids";
import type { Types, UpdateQuery } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../models/assessment";
import { Claim } from "../../models/claim";
import { Enterprise } from "../../models/enterprise";
import { RubricVersion, type RubricVersionDoc } from "../../models/rubric-version";
import { Tenant } from "../../models/tenant";
import { withDescriptionTotal } from "~/lib/rubric/description-total";
import { diffRubricVersions, type RubricDiff } from "~/lib/rubric/diff";
import { parseRubricIssues, type RubricIssue } from "~/lib/rubric/issues";
import {
  validateRubric,
  type LocalizedText,
  type Rubric,
  type WeightProfile,
} from "~/lib/rubric/schema";
import {
  scoreDelta,
  scoreSnapshot,
  type AnswerAdjustments,
  type ScoreSnapshot,
} from "~/lib/scoring/rescore";
import { recordAudit } from "./audit.server";
import { claimOnce, releaseClaim, STALE_CLAIM_MS } from "./cas.server";
import type { TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import { draftTotalChange } from "./rubric-publish-info.server";
import {
  canonicalJson,
  contentHash,
  countItems,
  getRubricVersion,
  getWeightProfile,
  parseStoredRubric,
  type RubricVersionMeta,
} from "./rubrics.server";

export type Actor = { id: Types.ObjectId; email: string };

const VERSION_PATTERN = /^[0-9A-Za-z.-]+$/;
export const MAX_VERSION_LENGTH = 60;

function denormalized(rubric: Rubric) {
  const json = canonicalJson(rubric);
  return {
    title: { zh: rubric.title.zh, en: rubric.title.en ?? "" },
    standard: rubric.standard,
    contentJson: json,
    contentHash: contentHash(json),
    itemCount: countItems(rubric),
    totalPoints: rubric.totalPoints,
    industries: [...rubric.applicability.industries],
    sizeClasses: [...rubric.applicability.sizeClasses],
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---------------------------------------------------------------------------------------------
// Clone

export type CloneResult =
  | { ok: true; id: Types.ObjectId; version: string }
  | { ok: false; error: "notFound" | "notPublished" | "invalidVersion" | "versionTaken" };

/**
 * Copies a published version (shipped or this tenant's) into a new draft owned by the tenant.
 * Without `version` the draft is numbered `<parent version>-<tenant slug>.<n>`; a clone of a clone
 * continues the numbering of the base version instead of growing the suffix.
 */
export async function cloneRubricVersion({
  tenantId,
  id,
  actor,
  version,
  ip,
}: TenantScope & {
  id: Types.ObjectId;
  actor: Actor;
  version?: string;
  ip?: string;
}): Promise<CloneResult> {
  const source = await getRubricVersion({ tenantId, id });
  if (!source) return { ok: false, error: "notFound" };
  if (source.meta.status !== "published") return { ok: false, error: "notPublished" };
  const tenant = await Tenant.findOne({ _id: tenantId }, { slug: 1 }).lean();
  if (!tenant) return { ok: false, error: "notFound" };

  const wanted = version?.trim();
  if (wanted !== undefined && wanted !== "") {
    if (!VERSION_PATTERN.test(wanted) || wanted.length > MAX_VERSION_LENGTH)
      return { ok: false, error: "invalidVersion" };
    // A tenant version must not shadow a shipped one: "general-tier3@2025.1" has to mean one thing.
    const taken = await RubricVersion.exists({
      tenantId: { $in: [tenantId, null] },
      key: source.meta.key,
      version: wanted,
    });
    if (taken) return { ok: false, error: "versionTaken" };
    const created = await insertClone(tenantId, source, wanted, actor);
    if (!created) return { ok: false, error: "versionTaken" };
    await auditClone(tenantId, actor, ip, created, source.meta);
    return { ok: true, id: created._id, version: wanted };
  }

  const suffix = `-${tenant.slug}.`;
  const base = source.meta.version.replace(new RegExp(`${escapeRegex(suffix)}\\d+$`), "");
  const existing = await RubricVersion.find(
    { tenantId, key: source.meta.key, version: { $regex: `^${escapeRegex(base + suffix)}\\d+$` } },
    { version: 1 },
  ).lean();
  let n = 1;
  for (const v of existing)
    n = Math.max(n, Number(v.version.slice(base.length + suffix.length)) + 1);
  // Two admins cloning at the same moment: the unique index decides, the loser takes the next number.
  for (let attempt = 0; attempt < 5; attempt++, n++) {
    const candidate = `${base}${suffix}${n}`;
    if (candidate.length > MAX_VERSION_LENGTH) return { ok: false, error: "invalidVersion" };
    const created = await insertClone(tenantId, source, candidate, actor);
    if (created) {
      await auditClone(tenantId, actor, ip, created, source.meta);
      return { ok: true, id: created._id, version: candidate };
    }
  }
  return { ok: false, error: "versionTaken" };
}

async function insertClone(
  tenantId: Types.ObjectId,
  source: { meta: RubricVersionMeta; rubric: Rubric },
  version: string,
  actor: Actor,
): Promise<RubricVersionDoc | null> {
  const rubric: Rubric = { ...source.rubric, version };
  try {
    const doc = await RubricVersion.create({
      tenantId,
      key: rubric.key,
      version,
      status: "draft",
      source: "tenant",
      parentId: source.meta._id,
      createdBy: actor.id,
      revision: 0,
      ...denormalized(rubric),
    });
    return doc.toObject();
  } catch (error) {
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
}

async function auditClone(
  tenantId: Types.ObjectId,
  actor: Actor,
  ip: string | undefined,
  created: RubricVersionDoc,
  parent: RubricVersionMeta,
): Promise<void> {
  await recordAudit({
    tenantId,
    action: "rubric.cloned",
    actor,
    ip,
    target: {
      type: "rubricVersion",
      id: String(created._id),
      label: `${created.key}@${created.version}`,
    },
    details: { parentId: String(parent._id), parent: `${parent.key}@${parent.version}` },
  });
}

// ---------------------------------------------------------------------------------------------
// Edit, publish, discard

export type WriteError = "notFound" | "immutable" | "conflict";

/** Why a conditional write on a draft matched nothing. */
async function whyNotWritten(tenantId: Types.ObjectId, id: Types.ObjectId): Promise<WriteError> {
  const doc = await RubricVersion.findOne(
    { _id: id, tenantId: { $in: [tenantId, null] } },
    { status: 1 },
  ).lean();
  if (!doc) return "notFound";
  return doc.status === "draft" ? "conflict" : "immutable";
}

/**
 * Claims the transition of a draft from `expectedRevision` to the next one (see
 * docs/decisions/001-compare-and-set.md: a filtered update alone is not atomic on FerretDB, a
 * unique insert is). Edits, publishing and discarding all claim the same key, so exactly one of
 * them wins. A claim whose writer crashed before writing is taken over once it is stale.
 */
async function claimRevision(
  tenantId: Types.ObjectId,
  id: Types.ObjectId,
  expectedRevision: number,
): Promise<string | null> {
  const key = `rubric_versions:${String(id)}:r${expectedRevision + 1}`;
  const now = new Date();
  if (await claimOnce(key, now)) return key;
  const claim = await Claim.findById(key).lean();
  if (!claim || now.getTime() - claim.at.getTime() < STALE_CLAIM_MS) return null;
  const doc = await RubricVersion.findOne({ _id: id, tenantId }, { revision: 1 }).lean();
  if (!doc || doc.revision !== expectedRevision) return null;
  await Claim.deleteOne({ _id: key, at: claim.at });
  return (await claimOnce(key, now)) ? key : null;
}

/** Applies `update` to the draft if it is still a draft at `expectedRevision`, bumping the revision. */
async function casDraft(
  tenantId: Types.ObjectId,
  id: Types.ObjectId,
  expectedRevision: number,
  update: UpdateQuery<RubricVersionDoc>,
): Promise<boolean> {
  const key = await claimRevision(tenantId, id, expectedRevision);
  if (!key) return false;
  const result = await RubricVersion.updateOne(
    { _id: id, tenantId, status: "draft", revision: expectedRevision },
    { ...update, $inc: { revision: 1 } },
  );
  if (result.modifiedCount === 1) return true;
  await releaseClaim(key);
  return false;
}

export type UpdateDraftResult =
  | { ok: true; revision: number }
  | { ok: false; error: "invalid"; issues: RubricIssue[]; errors: string[] }
  | { ok: false; error: WriteError };

/**
 * Replaces a draft's content. The rubric is validated whole (the same schema as the files); on any
 * error nothing is written. Key and version belong to the draft record, not to the editor.
 */
export async function updateDraft({
  tenantId,
  id,
  expectedRevision,
  rubric: input,
  actor,
  ip,
}: TenantScope & {
  id: Types.ObjectId;
  expectedRevision: number;
  rubric: unknown;
  actor?: Actor;
  ip?: string;
}): Promise<UpdateDraftResult> {
  const current = await RubricVersion.findOne(
    { _id: id, tenantId: { $in: [tenantId, null] } },
    { contentJson: 0 },
  ).lean();
  if (!current) return { ok: false, error: "notFound" };
  if (current.status !== "draft" || current.tenantId === null)
    return { ok: false, error: "immutable" };

  const label = `${current.key}@${current.version}`;
  const withIdentity =
    typeof input === "object" && input !== null && !Array.isArray(input)
      ? { ...input, key: current.key, version: current.version }
      : input;
  const result = validateRubric(withIdentity, label);
  if (!result.ok)
    return {
      ok: false,
      error: "invalid",
      issues: parseRubricIssues(result.errors, label),
      errors: result.errors,
    };

  // The description's stated total is generated from the items' total (never a stale "满分1000分").
  const content = withDescriptionTotal(result.value);
  if (!(await casDraft(tenantId, id, expectedRevision, { $set: denormalized(content) }))) {
    return { ok: false, error: await whyNotWritten(tenantId, id) };
  }
  if (actor) {
    await recordAudit({
      tenantId,
      action: "rubric.draftSaved",
      actor,
      ip,
      target: { type: "rubricVersion", id: String(id), label },
      details: {
        revision: expectedRevision + 1,
        itemCount: countItems(result.value),
        totalPoints: result.value.totalPoints,
      },
    });
  }
  return { ok: true, revision: expectedRevision + 1 };
}

export type PublishResult =
  | { ok: true }
  | { ok: false; error: WriteError }
  | { ok: false; error: "totalUnconfirmed"; totalChange: { from: number; to: number } };

/** The revision a write should expect when the caller did not say: the current one of a draft. */
async function currentDraftRevision(
  tenantId: Types.ObjectId,
  id: Types.ObjectId,
): Promise<number | null> {
  const doc = await RubricVersion.findOne(
    { _id: id, tenantId, status: "draft" },
    { revision: 1 },
  ).lean();
  return doc ? doc.revision : null;
}

/**
 * draft → published, once. `expectedRevision` (when given) makes sure the admin publishes the
 * content they reviewed, not an edit someone saved in between.
 */
export async function publishDraft({
  tenantId,
  id,
  actor,
  expectedRevision,
  ip,
  now = new Date(),
  confirmedTotal,
}: TenantScope & {
  id: Types.ObjectId;
  actor: Actor;
  expectedRevision?: number;
  ip?: string;
  now?: Date;
  /** The total the admin confirmed in the dialog; when given, a changed total must match it. */
  confirmedTotal?: number | null;
}): Promise<PublishResult> {
  if (confirmedTotal !== undefined) {
    const change = await draftTotalChange({ tenantId, id });
    if (change && confirmedTotal !== change.to) return { ok: false, error: "totalUnconfirmed", totalChange: change };
  }
  const revision = expectedRevision ?? (await currentDraftRevision(tenantId, id));
  const published =
    revision !== null &&
    (await casDraft(tenantId, id, revision, {
      $set: { status: "published", publishedAt: now, publishedBy: actor.id },
    }));
  if (!published) return { ok: false, error: await whyNotWritten(tenantId, id) };
  const doc = await RubricVersion.findOne({ _id: id, tenantId }, { contentJson: 0 }).lean();
  await recordAudit({
    tenantId,
    action: "rubric.published",
    actor,
    ip,
    at: now,
    target: {
      type: "rubricVersion",
      id: String(id),
      label: doc ? `${doc.key}@${doc.version}` : String(id),
    },
    details: {
      parentId: doc?.parentId ? String(doc.parentId) : null,
      contentHash: doc?.contentHash ?? null,
      itemCount: doc?.itemCount ?? null,
      totalPoints: doc?.totalPoints ?? null,
    },
  });
  return { ok: true };
}

/** Deletes a draft that was never published (nothing can pin a draft). */
export async function discardDraft({
  tenantId,
  id,
  actor,
  ip,
}: TenantScope & { id: Types.ObjectId; actor: Actor; ip?: string }): Promise<{ ok: true } | { ok: false; error: WriteError }> {
  const doc = await RubricVersion.findOne(
    { _id: id, tenantId, status: "draft" },
    { key: 1, version: 1, revision: 1 },
  ).lean();
  const key = doc ? await claimRevision(tenantId, id, doc.revision) : null;
  if (!doc || !key) return { ok: false, error: await whyNotWritten(tenantId, id) };
  // (findOneAndDelete with a projection is not implemented by FerretDB 1.24; the filter still guards.)
  const deleted = await RubricVersion.deleteOne({
    _id: id,
    tenantId,
    status: "draft",
    revision: doc.revision,
  });
  if (deleted.deletedCount !== 1) {
    await releaseClaim(key);
    return { ok: false, error: await whyNotWritten(tenantId, id) };
  }
  await recordAudit({
    tenantId,
    action: "rubric.draftDiscarded",
    actor,
    ip,
    target: { type: "rubricVersion", id: String(id), label: `${doc.key}@${doc.version}` },
  });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Diff

export type VersionWithParent = {
  version: { meta: RubricVersionMeta; rubric: Rubric };
  parent: { meta: RubricVersionMeta; rubric: Rubric } | null;
};

export async function getVersionWithParent({
  tenantId,
  id,
}: TenantScope & { id: Types.ObjectId }): Promise<VersionWithParent | null> {
  const version = await getRubricVersion({ tenantId, id });
  if (!version) return null;
  const parent = version.meta.parentId
    ? await getRubricVersion({ tenantId, id: version.meta.parentId })
    : null;
  return { version, parent };
}

export async function diffWithParent({
  tenantId,
  id,
}: TenantScope & { id: Types.ObjectId }): Promise<
  (VersionWithParent & { diff: RubricDiff | null }) | null
> {
  const loaded = await getVersionWithParent({ tenantId, id });
  if (!loaded) return null;
  return {
    ...loaded,
    diff: loaded.parent ? diffRubricVersions(loaded.parent.rubric, loaded.version.rubric) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Re-score preview

export type PreviewRow = {
  assessmentId: string;
  enterpriseId: string;
  enterpriseName: string;
  cycle: string;
  state: string;
  /** The version the assessment pins (its current result). */
  pinned: { id: string; key: string; version: string };
  before: ScoreSnapshot;
  after: ScoreSnapshot;
  /** after − before, 1 decimal; null when either side has no score. */
  delta: number | null;
  levelChanged: boolean;
  /** What did not carry over from the pinned version's answers to the draft. */
  adjustments: AnswerAdjustments;
};

export type RescorePreview = {
  draft: { id: string; key: string; version: string };
  rows: PreviewRow[];
  summary: {
    total: number;
    up: number;
    down: number;
    same: number;
    levelChanged: number;
    truncated: boolean;
  };
  /** Level names of every version involved, by key (for display). */
  levelNames: Record<string, LocalizedText>;
  levelsAllowed: string[];
  /** Which weights both sides were scored with: each assessment's own profile, none, or one chosen profile. */
  weights: { mode: "assessment" | "none" | "profile"; key: string | null };
  /** Where the time went: reading from the database vs. re-scoring (pure CPU). */
  timings: { fetchMs: number; scoreMs: number };
};

/** A city can have thousands of applications; beyond this the preview says it is partial. */
export const PREVIEW_LIMIT = 5000;

type PreviewAssessment = Pick<
  AssessmentDoc,
  | "_id"
  | "enterpriseId"
  | "cycle"
  | "state"
  | "rubricVersionId"
  | "rubricKey"
  | "rubricVersion"
  | "weightProfileKey"
  | "answers"
  | "performance"
>;

function changeRank(row: PreviewRow): number {
  // Gaining or losing a score altogether is the largest change there is.
  if (row.delta === null) return row.before.score === row.after.score ? 0 : 1000;
  return Math.abs(row.delta);
}

/**
 * Re-scores the tenant's assessments that left the draft state (submitted or later) and pin the
 * draft's parent or any version of the same rubric key: once with the version they pin, once with
 * the draft. Several small queries (no $lookup): the assessments, the pinned versions, the
 * enterprises' names, the weight profiles.
 */
export async function rescorePreview({
  tenantId,
  draftId,
  weightsKey,
}: TenantScope & {
  draftId: Types.ObjectId;
  /**
   * Omitted: each assessment keeps the weight profile it was scored with. `null`: unweighted.
   * A key: that profile (shipped or this tenant's) for every assessment, old and new alike.
   */
  weightsKey?: string | null;
}): Promise<RescorePreview | null> {
  const fetchStarted = performance.now();
  const draft = await getRubricVersion({ tenantId, id: draftId });
  if (!draft || draft.meta.tenantId === null) return null;
  const tenant = await Tenant.findOne({ _id: tenantId }, { settings: 1 }).lean();
  const levelsAllowed = tenant?.settings.grantableLevels ?? [];

  const pinFilter: Array<Record<string, unknown>> = [{ rubricKey: draft.meta.key }];
  if (draft.meta.parentId) pinFilter.push({ rubricVersionId: draft.meta.parentId });
  const assessments = await Assessment.find(
    { tenantId, state: { $ne: "draft" }, $or: pinFilter },
    {
      enterpriseId: 1,
      cycle: 1,
      state: 1,
      rubricVersionId: 1,
      rubricKey: 1,
      rubricVersion: 1,
      weightProfileKey: 1,
      answers: 1,
      performance: 1,
    },
  )
    // The applications list's index order (newest cycle first); the rubric filter is applied while
    // walking it (a tenant has few rubrics, so most applications match; decision 011).
    .sort({ cycle: -1, updatedAt: -1, _id: 1 })
    .limit(PREVIEW_LIMIT + 1)
    .lean<PreviewAssessment[]>();
  const truncated = assessments.length > PREVIEW_LIMIT;
  if (truncated) assessments.length = PREVIEW_LIMIT;

  const pinnedIds = [
    ...new Map(assessments.map((a) => [String(a.rubricVersionId), a.rubricVersionId])).values(),
  ];
  const pinnedDocs = await RubricVersion.find({
    _id: { $in: pinnedIds },
    tenantId: { $in: [tenantId, null] },
  }).lean();
  const pinned = new Map(
    pinnedDocs.map((d) => [String(d._id), { doc: d, rubric: parseStoredRubric(d) }]),
  );

  const enterpriseIds = [
    ...new Map(assessments.map((a) => [String(a.enterpriseId), a.enterpriseId])).values(),
  ];
  const enterprises = await findByIds<{ _id: Types.ObjectId; name: string }>(Enterprise, enterpriseIds, {
    filter: { tenantId },
    select: { name: 1 },
  });
  const names = new Map(enterprises.map((e) => [String(e._id), e.name]));

  let chosen: WeightProfile | null = null;
  if (weightsKey) {
    chosen = await getWeightProfile({ key: weightsKey, tenantId });
    if (!chosen) return null;
  }
  const profiles = new Map<string, WeightProfile | null>();
  if (weightsKey === undefined)
    for (const key of new Set(
      assessments.map((a) => a.weightProfileKey).filter((k): k is string => !!k),
    )) {
      profiles.set(key, await getWeightProfile({ key, tenantId }));
    }

  const levelNames: Record<string, LocalizedText> = {};
  for (const rubric of [draft.rubric, ...[...pinned.values()].map((p) => p.rubric)]) {
    for (const level of rubric.levels) levelNames[level.key] ??= level.name;
  }

  const scoreStarted = performance.now();
  const rows: PreviewRow[] = [];
  for (const a of assessments) {
    const current = pinned.get(String(a.rubricVersionId));
    // An assessment whose pinned version is gone or not visible cannot be compared; leave it out.
    if (!current) continue;
    const weights =
      weightsKey !== undefined
        ? chosen
        : a.weightProfileKey
          ? (profiles.get(a.weightProfileKey) ?? null)
          : null;
    const common = { stored: a.answers, performance: a.performance, weights, levelsAllowed };
    const before = scoreSnapshot({ rubric: current.rubric, ...common });
    const after = scoreSnapshot({ rubric: draft.rubric, ...common });
    rows.push({
      assessmentId: String(a._id),
      enterpriseId: String(a.enterpriseId),
      enterpriseName: names.get(String(a.enterpriseId)) ?? "",
      cycle: a.cycle,
      state: a.state,
      pinned: { id: String(current.doc._id), key: current.doc.key, version: current.doc.version },
      before: before.snapshot,
      after: after.snapshot,
      delta: scoreDelta(before.snapshot.score, after.snapshot.score),
      levelChanged: before.snapshot.level !== after.snapshot.level,
      adjustments: after.adjustments,
    });
  }
  rows.sort(
    (x, y) =>
      changeRank(y) - changeRank(x) ||
      Number(y.levelChanged) - Number(x.levelChanged) ||
      x.enterpriseName.localeCompare(y.enterpriseName, "zh-CN") ||
      x.assessmentId.localeCompare(y.assessmentId),
  );

  const summary = { total: rows.length, up: 0, down: 0, same: 0, levelChanged: 0, truncated };
  for (const row of rows) {
    if (row.levelChanged) summary.levelChanged++;
    if (row.delta === null ? row.before.score === row.after.score : row.delta === 0) summary.same++;
    else if (row.delta === null ? row.after.score !== null : row.delta > 0) summary.up++;
    else summary.down++;
  }
  return {
    draft: { id: String(draft.meta._id), key: draft.meta.key, version: draft.meta.version },
    rows,
    summary,
    levelNames,
    levelsAllowed,
    weights:
      weightsKey === undefined
        ? { mode: "assessment", key: null }
        : weightsKey === null
          ? { mode: "none", key: null }
          : { mode: "profile", key: weightsKey },
    timings: {
      fetchMs: Math.round(scoreStarted - fetchStarted),
      scoreMs: Math.round(performance.now() - scoreStarted),
    },
  };
}
