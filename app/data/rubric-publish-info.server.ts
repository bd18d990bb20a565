/**
 * What the publish dialog of a tenant's rubric draft states, from the data: which version it
 * takes the place of in the enterprises' 开始自评 list (same rule as `listApplicableRubrics`), how
 * many enterprises of the tenant's directory it applies to, and whether the total changed
 * against the version it was copied from (a change that must be confirmed to publish).
 */
import type { Types } from "mongoose";
import { Enterprise } from "../../models/enterprise";
import { RubricVersion } from "../../models/rubric-version";
import { INDUSTRIES, type IndustryKey } from "~/lib/domain";
import { publishImpact, type PublishInfo, type TotalChange } from "~/lib/rubric/publish-impact";
import type { TenantScope } from "./ids.server";
import { listRubricVersions } from "./rubrics.server";

/** The draft's total against its parent's, when they differ. */
export async function draftTotalChange({ tenantId, id }: TenantScope & { id: Types.ObjectId }): Promise<TotalChange> {
  const draft = await RubricVersion.findOne({ _id: id, tenantId, status: "draft" }, { totalPoints: 1, parentId: 1 }).lean();
  if (!draft?.parentId) return null;
  const parent = await RubricVersion.findOne({ _id: draft.parentId, tenantId: { $in: [tenantId, null] } }, { totalPoints: 1 }).lean();
  if (!parent || parent.totalPoints === draft.totalPoints) return null;
  return { from: parent.totalPoints, to: draft.totalPoints };
}

function industryKeys(names: string[]): Array<IndustryKey | "*"> {
  if (names.includes("*")) return ["*"];
  return INDUSTRIES.filter((i) => names.includes(i.zh)).map((i) => i.key);
}

export async function getPublishInfo({ tenantId, id }: TenantScope & { id: Types.ObjectId }): Promise<PublishInfo | null> {
  const draft = await RubricVersion.findOne({ _id: id, tenantId, status: "draft" }, { contentJson: 0 }).lean();
  if (!draft) return null;
  const published = await listRubricVersions({ tenantId, status: "published" });
  const impact = publishImpact(
    { key: draft.key, industries: draft.industries, sizeClasses: draft.sizeClasses },
    published.map((r) => ({
      id: String(r._id),
      key: r.key,
      version: r.version,
      tenantOwned: r.tenantId !== null,
      publishedAt: r.publishedAt ? r.publishedAt.toISOString() : null,
      industries: r.industries,
      sizeClasses: r.sizeClasses,
    })),
  );
  const industries = industryKeys(draft.industries);
  const filter: Record<string, unknown> = { tenantId, sizeClass: { $in: draft.sizeClasses } };
  if (!industries.includes("*")) filter.industry = { $in: industries };
  const enterpriseCount = await Enterprise.countDocuments(filter);
  const byId = new Map(published.map((r) => [String(r._id), r]));
  return {
    replaces: impact.replaces.map((r) => ({
      id: r.id,
      label: `${r.key}@${r.version}`,
      title: { zh: byId.get(r.id)?.title.zh ?? "", en: byId.get(r.id)?.title.en ?? "" },
      tenantOwned: r.tenantOwned,
    })),
    industries,
    sizeClasses: draft.sizeClasses,
    enterpriseCount,
    totalChange: await draftTotalChange({ tenantId, id }),
  };
}
