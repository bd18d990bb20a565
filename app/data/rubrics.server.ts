/**
 * The one server module through which rubrics are read: shipped files are imported into MongoDB
 * (idempotent by key + version + content hash), tenants' own versions live beside them, and
 * assessments pin a version's `_id`.
 */
import { createHash } from "node:crypto";
import type { Types } from "mongoose";
import { RubricVersion, type RubricVersionDoc } from "../../models/rubric-version";
import { WeightProfileModel } from "../../models/weight-profile";
import { INDUSTRIES, type IndustryKey, type SizeClass } from "~/lib/domain";
import {
  listRubricFiles,
  listWeightProfileFiles,
  loadRubricFile,
  loadWeightProfileFile,
  displayPath,
} from "~/lib/rubric/load-files.server";
import { withoutEnglish } from "~/lib/rubric/localize";
import {
  validateRubric,
  validateWeightProfile,
  type Rubric,
  type WeightProfile,
} from "~/lib/rubric/schema";
import type { TenantScope } from "./ids.server";

/** JSON with object keys sorted, so the hash ignores formatting and key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function contentHash(json: string): string {
  return createHash("sha256").update(json).digest("hex");
}

export function countItems(rubric: Rubric): number {
  let n = 0;
  for (const e of rubric.elements) for (const s of e.subElements) n += s.items.length;
  return n;
}

export class RubricImportError extends Error {}

export type ImportReport = {
  imported: string[];
  unchanged: string[];
  /** Published versions whose file only added or changed English text: stored content updated. */
  translated: string[];
  errors: string[];
};

/** The stored and the file version differ only in English text (same Chinese, points, rules). */
function sameExceptEnglish(storedJson: string, rubric: Rubric): boolean {
  const stored: unknown = JSON.parse(storedJson);
  return canonicalJson(withoutEnglish(stored)) === canonicalJson(withoutEnglish(rubric));
}

export async function importRubricFiles(dir?: string): Promise<ImportReport> {
  const report: ImportReport = { imported: [], unchanged: [], translated: [], errors: [] };
  for (const file of await listRubricFiles(dir)) {
    const loaded = await loadRubricFile(file);
    if (!loaded.ok) {
      report.errors.push(...loaded.errors);
      continue;
    }
    const rubric = loaded.value;
    const json = canonicalJson(rubric);
    const hash = contentHash(json);
    const ref = `${rubric.key}@${rubric.version}`;
    const existing = await RubricVersion.findOne({
      tenantId: null,
      key: rubric.key,
      version: rubric.version,
    }).lean();
    if (existing) {
      if (existing.contentHash === hash) report.unchanged.push(ref);
      else if (sameExceptEnglish(existing.contentJson, rubric)) {
        // A translation does not change how anything is graded (assessments pin the version's _id).
        // Idempotent: two instances importing at once write the same content.
        await RubricVersion.updateOne(
          { _id: existing._id, tenantId: null },
          { $set: { contentJson: json, contentHash: hash, "title.en": rubric.title.en ?? "" } },
        );
        report.translated.push(ref);
      } else
        report.errors.push(
          `${displayPath(file)}: ${ref} was already imported with different content. Published versions never change: give the edited file a new "version".`,
        );
      continue;
    }
    try {
      await RubricVersion.create({
        tenantId: null,
        key: rubric.key,
        version: rubric.version,
        title: { zh: rubric.title.zh, en: rubric.title.en ?? "" },
        standard: rubric.standard,
        status: "published",
        source: "file",
        contentJson: json,
        contentHash: hash,
        itemCount: countItems(rubric),
        totalPoints: rubric.totalPoints,
        industries: [...rubric.applicability.industries],
        sizeClasses: [...rubric.applicability.sizeClasses],
        publishedAt: new Date(),
      });
      report.imported.push(ref);
    } catch (error) {
      // Another instance imported the same file at the same moment: the unique index decided.
      if (error instanceof Error && "code" in error && error.code === 11000)
        report.unchanged.push(ref);
      else throw error;
    }
  }
  for (const file of await listWeightProfileFiles(dir)) {
    const loaded = await loadWeightProfileFile(file);
    if (!loaded.ok) {
      report.errors.push(...loaded.errors);
      continue;
    }
    const profile = loaded.value;
    const json = canonicalJson(profile);
    const hash = contentHash(json);
    // Shipped profiles only (tenant profiles share the collection). Documents written before tenant
    // profiles existed have no tenantId field at all.
    const existing = await WeightProfileModel.findOne({
      key: profile.key,
      $or: [{ tenantId: null }, { tenantId: { $exists: false } }],
    }).lean();
    if (existing?.contentHash === hash && existing.tenantId === null) {
      report.unchanged.push(`weights:${profile.key}`);
      continue;
    }
    // Weight profiles are not pinned by assessments (the chosen profile is copied into the result), so an update is allowed.
    const fields = {
      tenantId: null,
      title: { zh: profile.title.zh, en: profile.title.en ?? "" },
      contentJson: json,
      contentHash: hash,
    };
    if (existing) await WeightProfileModel.updateOne({ _id: existing._id }, { $set: fields });
    else {
      try {
        await WeightProfileModel.create({
          ...fields,
          key: profile.key,
          parentKey: null,
          revision: 0,
        });
      } catch (error) {
        // Another instance imported the same file at the same moment: the unique index decided.
        if (!(error instanceof Error && "code" in error && error.code === 11000)) throw error;
      }
    }
    report.imported.push(`weights:${profile.key}`);
  }
  return report;
}

export type RubricVersionMeta = Omit<RubricVersionDoc, "contentJson">;

const parsedCache = new Map<string, Rubric>();
/** Parses stored content once per process; safe because content with a given hash never changes. */
export function parseStoredRubric(
  doc: Pick<RubricVersionDoc, "contentJson" | "contentHash" | "key" | "version">,
): Rubric {
  const cached = parsedCache.get(doc.contentHash);
  if (cached) return cached;
  const result = validateRubric(JSON.parse(doc.contentJson), `${doc.key}@${doc.version}`);
  if (!result.ok) throw new RubricImportError(result.errors.join("\n"));
  if (parsedCache.size > 200) parsedCache.clear();
  parsedCache.set(doc.contentHash, result.value);
  return result.value;
}

const visibleTo = (tenantId: Types.ObjectId) => ({ tenantId: { $in: [tenantId, null] } });

export async function getRubricVersion({
  tenantId,
  id,
}: TenantScope & { id: Types.ObjectId }): Promise<{
  meta: RubricVersionMeta;
  rubric: Rubric;
} | null> {
  const doc = await RubricVersion.findOne({ _id: id, ...visibleTo(tenantId) }).lean();
  if (!doc) return null;
  const { contentJson: _omit, ...meta } = doc;
  return { meta, rubric: parseStoredRubric(doc) };
}

const pinnedCache = new Map<string, { meta: RubricVersionMeta; rubric: Rubric }>();

/**
 * `getRubricVersion` for the versions assessments are pinned to, cached per process once the
 * version is not a draft: published content never changes, so pages and saves need not re-read its
 * (large) content on every request. The cached meta's `status` may lag an archiving; callers use
 * the content, the title and the version number.
 */
export async function getPinnedRubricVersion({
  tenantId,
  id,
}: TenantScope & { id: Types.ObjectId }): Promise<{ meta: RubricVersionMeta; rubric: Rubric } | null> {
  const key = `${String(tenantId)}:${String(id)}`;
  const cached = pinnedCache.get(key);
  if (cached) return cached;
  const fresh = await getRubricVersion({ tenantId, id });
  if (fresh && fresh.meta.status !== "draft") {
    if (pinnedCache.size > 100) pinnedCache.clear();
    pinnedCache.set(key, fresh);
  }
  return fresh;
}

export async function listRubricVersions({
  tenantId,
  status,
}: TenantScope & { status?: RubricVersionDoc["status"] }): Promise<RubricVersionMeta[]> {
  const filter: Record<string, unknown> = { ...visibleTo(tenantId) };
  if (status) filter.status = status;
  return RubricVersion.find(filter, { contentJson: 0 })
    .sort({ key: 1, createdAt: -1 })
    .lean<RubricVersionMeta[]>();
}

function industryMatches(industries: string[], industry: IndustryKey): boolean {
  const zh = INDUSTRIES.find((i) => i.key === industry)?.zh;
  return industries.includes("*") || (zh !== undefined && industries.includes(zh));
}

/**
 * Published rubrics that apply to an enterprise, best match first: a specific industry list beats
 * "*", a tenant's own version beats a shipped one, and within a key the latest publication wins.
 */
export async function listApplicableRubrics({
  tenantId,
  industry,
  sizeClass,
}: TenantScope & { industry: IndustryKey; sizeClass: SizeClass }): Promise<RubricVersionMeta[]> {
  const all = await listRubricVersions({ tenantId, status: "published" });
  const matching = all.filter(
    (r) => r.sizeClasses.includes(sizeClass) && industryMatches(r.industries, industry),
  );
  const latestByKey = new Map<string, RubricVersionMeta>();
  for (const r of matching) {
    const current = latestByKey.get(r.key);
    const sameOwner = current && (r.tenantId === null) === (current.tenantId === null);
    const published = (x: RubricVersionMeta) => x.publishedAt?.getTime() ?? 0;
    // Shipped files are imported in one go, so two versions may share a publishing instant:
    // then the higher version number wins ("2025.2" over "2025.1").
    const better =
      !current ||
      (r.tenantId !== null && current.tenantId === null) ||
      (sameOwner &&
        (published(r) > published(current) ||
          (published(r) === published(current) &&
            r.version.localeCompare(current.version, "en", { numeric: true }) > 0)));
    if (better) latestByKey.set(r.key, r);
  }
  return [...latestByKey.values()].sort((a, b) => {
    const spec = (r: RubricVersionMeta) => (r.industries.includes("*") ? 1 : 0);
    const size = (r: RubricVersionMeta) => r.sizeClasses.length;
    return spec(a) - spec(b) || size(a) - size(b) || a.key.localeCompare(b.key);
  });
}

/** The profile stored under `key`: without a tenant only shipped ones, with one also the tenant's own. */
export async function getWeightProfile({
  key,
  tenantId,
}: {
  key: string;
  tenantId?: Types.ObjectId | null;
}): Promise<WeightProfile | null> {
  // A tenant profile's key never equals a shipped key (the clone refuses it), so at most one matches.
  const doc = await WeightProfileModel.findOne({
    key,
    tenantId: tenantId ? { $in: [tenantId, null] } : null,
  }).lean();
  if (!doc) return null;
  const result = validateWeightProfile(JSON.parse(doc.contentJson), `weights:${key}`);
  return result.ok ? result.value : null;
}

export type WeightProfileMeta = {
  _id: Types.ObjectId;
  key: string;
  title: { zh: string; en: string };
  tenantId: Types.ObjectId | null;
  parentKey: string | null;
  revision: number;
  updatedAt: Date;
  /** Tenant profiles are drafts until published; shipped ones (and older documents) are published. */
  status: "draft" | "published";
};

/** Shipped profiles, plus the tenant's own when a tenant is given; shipped ones first. */
export async function listWeightProfiles({
  tenantId,
}: { tenantId?: Types.ObjectId | null } = {}): Promise<WeightProfileMeta[]> {
  const docs = await WeightProfileModel.find(
    { tenantId: tenantId ? { $in: [tenantId, null] } : null },
    { key: 1, title: 1, tenantId: 1, parentKey: 1, revision: 1, updatedAt: 1, status: 1 },
  )
    .sort({ key: 1 })
    .lean<Array<Omit<WeightProfileMeta, "status"> & { status?: "draft" | "published" }>>();
  return docs
    .map((d): WeightProfileMeta => ({
      ...d,
      status: d.tenantId && d.status === "draft" ? "draft" : "published",
      tenantId: d.tenantId ?? null,
      parentKey: d.parentKey ?? null,
      revision: d.revision ?? 0,
    }))
    .sort(
      (a, b) =>
        Number(a.tenantId !== null) - Number(b.tenantId !== null) || a.key.localeCompare(b.key),
    );
}
