/**
 * What publishing a tenant's draft changes for enterprises, computed from the published versions
 * with the same rule as the 开始自评 list (`listApplicableRubrics`): within a key, a tenant's own
 * version beats a shipped one and the latest publication wins. So a published tenant version of
 * key K takes the place of the version of K that enterprises are offered today.
 */
import type { IndustryKey } from "~/lib/domain";

export type TotalChange = { from: number; to: number } | null;

export type PublishInfo = {
  replaces: Array<{ id: string; label: string; title: { zh: string; en: string }; tenantOwned: boolean }>;
  /** Industry keys ("*" = every industry) and size classes the draft applies to. */
  industries: Array<IndustryKey | "*">;
  sizeClasses: string[];
  /** Enterprises in the tenant's directory the draft applies to. */
  enterpriseCount: number;
  totalChange: TotalChange;
};

export type PublishedRef = {
  id: string;
  key: string;
  version: string;
  tenantOwned: boolean;
  publishedAt: string | null;
  industries: string[];
  sizeClasses: string[];
};

export type PublishImpact = {
  /** The versions of the same key offered today, which new self-assessments will no longer get. */
  replaces: PublishedRef[];
  /** Industries (as in the rubric: Chinese names, or "*") and size classes the draft applies to. */
  industries: string[];
  sizeClasses: string[];
};

function publishedTime(r: PublishedRef): number {
  return r.publishedAt ? Date.parse(r.publishedAt) : 0;
}

function overlaps(a: string[], b: string[]): boolean {
  return a.includes("*") || b.includes("*") || a.some((x) => b.includes(x));
}

/** The version of `key` offered today to enterprises the draft applies to (one per owner rule). */
export function publishImpact(
  draft: { key: string; industries: string[]; sizeClasses: string[] },
  published: PublishedRef[],
): PublishImpact {
  const sameKey = published.filter(
    (r) => r.key === draft.key && overlaps(r.industries, draft.industries) && r.sizeClasses.some((s) => draft.sizeClasses.includes(s)),
  );
  const tenantOwned = sameKey.filter((r) => r.tenantOwned);
  const pool = tenantOwned.length > 0 ? tenantOwned : sameKey;
  const latest = [...pool].sort(
    (a, b) => publishedTime(b) - publishedTime(a) || b.version.localeCompare(a.version, "en", { numeric: true }),
  )[0];
  return { replaces: latest ? [latest] : [], industries: [...draft.industries], sizeClasses: [...draft.sizeClasses] };
}
