/**
 * A tenant's own weight profiles: clone a shipped (or own) profile, edit its rules (validated with
 * the same schema as rubrics/weights/*.json; nothing is written on any error) with compare-and-set
 * on `revision`. Shipped profiles (`tenantId: null`) are never written here.
 *
 * Compare-and-set as for rubric drafts (docs/decisions/001-compare-and-set.md): a filtered update
 * alone is not atomic on FerretDB, a unique insert is, so a writer first claims
 * `weight_profiles:<id>:r<n+1>` and only the claim's owner updates.
 */
import type { Types } from "mongoose";
import { Claim } from "../../models/claim";
import { WeightProfileModel, type WeightProfileDoc } from "../../models/weight-profile";
import { parseRubricIssues, type RubricIssue } from "~/lib/rubric/issues";
import { SCHEMA_VERSION, validateWeightProfile, type WeightProfile } from "~/lib/rubric/schema";
import { targetsOf, unknownTargets } from "~/lib/rubric/weight-targets";
import { recordAudit } from "./audit.server";
import { claimOnce, releaseClaim, STALE_CLAIM_MS } from "./cas.server";
import type { TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import { canonicalJson, contentHash, getRubricVersion, listRubricVersions } from "./rubrics.server";

export type Actor = { id: Types.ObjectId; email: string };

export const MAX_PROFILE_KEY_LENGTH = 60;
const KEY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export type TenantWeightProfile = {
  meta: Omit<WeightProfileDoc, "contentJson">;
  profile: WeightProfile;
};

function parse(doc: WeightProfileDoc): WeightProfile {
  const result = validateWeightProfile(JSON.parse(doc.contentJson), `weights:${doc.key}`);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

/** A profile this tenant can see (its own or a shipped one), by id. */
export async function getVisibleWeightProfile({
  tenantId,
  id,
}: TenantScope & { id: Types.ObjectId }): Promise<TenantWeightProfile | null> {
  const doc = await WeightProfileModel.findOne({
    _id: id,
    tenantId: { $in: [tenantId, null] },
  }).lean();
  if (!doc) return null;
  const { contentJson: _omit, ...meta } = doc;
  return {
    meta: {
      ...meta,
      tenantId: meta.tenantId ?? null,
      parentKey: meta.parentKey ?? null,
      revision: meta.revision ?? 0,
    },
    profile: parse(doc),
  };
}

export type CloneProfileResult =
  | { ok: true; id: Types.ObjectId; key: string }
  | { ok: false; error: "notFound" | "invalidKey" | "keyTaken" };

/**
 * Copies a visible profile into a new tenant profile. Without `key` it is named
 * `<source key>-<n>`. A tenant key never equals any existing key (shipped or any tenant's), so an
 * assessment's `weightProfileKey` keeps meaning one profile.
 */
export async function cloneWeightProfile({
  tenantId,
  id,
  key,
  actor,
  ip,
}: TenantScope & {
  id: Types.ObjectId;
  key?: string;
  actor: Actor;
  ip?: string;
}): Promise<CloneProfileResult> {
  const source = await getVisibleWeightProfile({ tenantId, id });
  if (!source) return { ok: false, error: "notFound" };
  const wanted = key?.trim();
  const candidates: string[] = [];
  if (wanted) {
    if (!KEY_PATTERN.test(wanted) || wanted.length > MAX_PROFILE_KEY_LENGTH)
      return { ok: false, error: "invalidKey" };
    candidates.push(wanted);
  } else {
    const base =
      source.meta.tenantId === null ? source.meta.key : (source.meta.parentKey ?? source.meta.key);
    const taken = new Set(
      (await WeightProfileModel.find({ key: { $regex: `^${base}-\\d+$` } }, { key: 1 }).lean()).map(
        (d) => d.key,
      ),
    );
    let n = 1;
    while (candidates.length < 5) {
      const k = `${base}-${n++}`;
      if (!taken.has(k)) candidates.push(k);
    }
    if (candidates[0] && candidates[0].length > MAX_PROFILE_KEY_LENGTH)
      return { ok: false, error: "invalidKey" };
  }
  for (const candidate of candidates) {
    if (await WeightProfileModel.exists({ key: candidate })) continue;
    const profile: WeightProfile = { ...source.profile, key: candidate };
    const json = canonicalJson(profile);
    try {
      const doc = await WeightProfileModel.create({
        tenantId,
        key: candidate,
        title: { zh: profile.title.zh, en: profile.title.en ?? "" },
        contentJson: json,
        contentHash: contentHash(json),
        parentKey: source.meta.tenantId === null ? source.meta.key : source.meta.parentKey,
        revision: 0,
        status: "draft",
      });
      await recordAudit({
        tenantId,
        action: "weights.cloned",
        actor,
        ip,
        target: { type: "weightProfile", id: String(doc._id), label: candidate },
        details: { source: source.meta.key },
      });
      return { ok: true, id: doc._id, key: candidate };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  return { ok: false, error: "keyTaken" };
}

async function claimRevision(
  id: Types.ObjectId,
  tenantId: Types.ObjectId,
  expected: number,
): Promise<string | null> {
  const key = `weight_profiles:${String(id)}:r${expected + 1}`;
  const now = new Date();
  if (await claimOnce(key, now)) return key;
  const claim = await Claim.findById(key).lean();
  if (!claim || now.getTime() - claim.at.getTime() < STALE_CLAIM_MS) return null;
  const doc = await WeightProfileModel.findOne({ _id: id, tenantId }, { revision: 1 }).lean();
  if (!doc || doc.revision !== expected) return null;
  await Claim.deleteOne({ _id: key, at: claim.at });
  return (await claimOnce(key, now)) ? key : null;
}

export type UpdateProfileResult =
  | { ok: true; revision: number }
  | { ok: false; error: "invalid"; issues: RubricIssue[]; errors: string[] }
  | { ok: false; error: "notFound" | "immutable" | "published" | "conflict" };

/** Whether a stored profile is published (documents from before drafts existed are). */
export function isPublished(doc: Pick<WeightProfileDoc, "status" | "tenantId">): boolean {
  return doc.tenantId === null || doc.status !== "draft";
}

/** Elements, items and tags of the rubrics published for this tenant (shipped and its own). */
async function publishedTargets(tenantId: Types.ObjectId) {
  const metas = await listRubricVersions({ tenantId, status: "published" });
  const rubrics = (
    await Promise.all(metas.map((m) => getRubricVersion({ tenantId, id: m._id })))
  ).flatMap((r) => (r ? [r.rubric] : []));
  return targetsOf(rubrics);
}

/**
 * Replaces a tenant profile's title and rules. The key belongs to the record, not to the editor.
 * Validated whole; on any error nothing is written.
 */
export async function updateWeightProfile({
  tenantId,
  id,
  expectedRevision,
  profile: input,
  actor,
  ip,
}: TenantScope & {
  id: Types.ObjectId;
  expectedRevision: number;
  profile: unknown;
  actor?: Actor;
  ip?: string;
}): Promise<UpdateProfileResult> {
  const current = await WeightProfileModel.findOne(
    { _id: id, tenantId: { $in: [tenantId, null] } },
    { contentJson: 0 },
  ).lean();
  if (!current) return { ok: false, error: "notFound" };
  if (!current.tenantId) return { ok: false, error: "immutable" };
  if (isPublished(current)) return { ok: false, error: "published" };
  const label = `weights:${current.key}`;
  const withIdentity =
    typeof input === "object" && input !== null && !Array.isArray(input)
      ? { ...input, key: current.key, $schemaVersion: SCHEMA_VERSION }
      : input;
  const result = validateWeightProfile(withIdentity, label);
  if (!result.ok)
    return {
      ok: false,
      error: "invalid",
      issues: parseRubricIssues(result.errors, label),
      errors: result.errors,
    };
  // Every rule must weigh something that exists (a rule for "E9" would silently do nothing).
  const unknown = unknownTargets(result.value, await publishedTargets(tenantId));
  if (unknown.length > 0)
    return { ok: false, error: "invalid", issues: unknown, errors: unknown.map((i) => `${label}: ${i.path}: ${i.message}`) };

  const claim = await claimRevision(id, tenantId, expectedRevision);
  if (!claim) return { ok: false, error: "conflict" };
  const json = canonicalJson(result.value);
  const updated = await WeightProfileModel.updateOne(
    { _id: id, tenantId, revision: expectedRevision, status: "draft" },
    {
      $set: {
        title: { zh: result.value.title.zh, en: result.value.title.en ?? "" },
        contentJson: json,
        contentHash: contentHash(json),
      },
      $inc: { revision: 1 },
    },
  );
  if (updated.modifiedCount !== 1) {
    await releaseClaim(claim);
    return { ok: false, error: "conflict" };
  }
  if (actor) {
    await recordAudit({
      tenantId,
      action: "weights.saved",
      actor,
      ip,
      target: { type: "weightProfile", id: String(id), label: current.key },
      details: { revision: expectedRevision + 1, rules: result.value.rules.length },
    });
  }
  return { ok: true, revision: expectedRevision + 1 };
}

export type PublishProfileResult = { ok: true } | { ok: false; error: "notFound" | "immutable" | "published" | "conflict" };

/** draft → published, once, for the revision the admin reviewed (compare-and-set as for edits). */
export async function publishWeightProfile({
  tenantId,
  id,
  expectedRevision,
  actor,
  ip,
  now = new Date(),
}: TenantScope & { id: Types.ObjectId; expectedRevision: number; actor: Actor; ip?: string; now?: Date }): Promise<PublishProfileResult> {
  const current = await WeightProfileModel.findOne({ _id: id, tenantId: { $in: [tenantId, null] } }, { contentJson: 0 }).lean();
  if (!current) return { ok: false, error: "notFound" };
  if (!current.tenantId) return { ok: false, error: "immutable" };
  if (isPublished(current)) return { ok: false, error: "published" };
  const claim = await claimRevision(id, tenantId, expectedRevision);
  if (!claim) return { ok: false, error: "conflict" };
  const updated = await WeightProfileModel.updateOne(
    { _id: id, tenantId, revision: expectedRevision, status: "draft" },
    { $set: { status: "published", publishedAt: now }, $inc: { revision: 1 } },
  );
  if (updated.modifiedCount !== 1) {
    await releaseClaim(claim);
    return { ok: false, error: "conflict" };
  }
  await recordAudit({
    tenantId,
    action: "weights.published",
    actor,
    ip,
    at: now,
    target: { type: "weightProfile", id: String(id), label: current.key },
    details: { revision: expectedRevision + 1 },
  });
  return { ok: true };
}
