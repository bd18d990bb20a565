/**
 * The enterprise list's rows and filters, in memory (decision 031): the tenant's enterprises are
 * held as slim rows sorted by name then `_id`; a list page filters them with the same rules the
 * query used to (district scope, industry, size class, name substring or code prefix). Pure.
 */
import type { IndustryKey, SizeClass } from "../domain";
import { districtsToShow, type DistrictScoped } from "../district-scope";
import { compareText, nameOrCodeMatcher } from "./rows";

/** `Id` is the document id (an ObjectId on the server; this module stays free of mongoose). */
export type EnterpriseRow<Id extends { toHexString(): string } = { toHexString(): string }> = {
  _id: Id;
  name: string;
  creditCode: string;
  industry: IndustryKey;
  sizeClass: SizeClass;
  districtCode: string;
  status: "active" | "suspended";
  address: string;
  contactName: string;
  contactPhone: string;
};

/** The fields a row holds (the list's columns and filters, and the export's columns). */
export const ENTERPRISE_ROW_FIELDS = {
  name: 1,
  creditCode: 1,
  industry: 1,
  sizeClass: 1,
  districtCode: 1,
  status: 1,
  address: 1,
  contactName: 1,
  contactPhone: 1,
} as const;

export type EnterpriseRowFilters = {
  q?: string;
  districtCode?: string;
  industry?: IndustryKey;
  sizeClass?: SizeClass;
  /** The reader's district limit: the list never leaves it. */
  scope: DistrictScoped;
};

/** Name order, then `_id` (the query's `{ name: 1, _id: 1 }`). */
export function byNameThenId(a: EnterpriseRow, b: EnterpriseRow): number {
  return compareText(a.name, b.name) || compareText(a._id.toHexString(), b._id.toHexString());
}

/** The rows (in their order) that pass the filters. */
export function filterEnterpriseRows<R extends EnterpriseRow>(rows: readonly R[], f: EnterpriseRowFilters): R[] {
  const districts = districtsToShow(f.scope, f.districtCode ?? "");
  if (districts?.length === 0) return [];
  const inDistricts = districts ? new Set(districts) : null;
  const text = nameOrCodeMatcher(f.q);
  return rows.filter(
    (r) =>
      (!inDistricts || inDistricts.has(r.districtCode)) &&
      (!f.industry || r.industry === f.industry) &&
      (!f.sizeClass || r.sizeClass === f.sizeClass) &&
      (!text || text(r.name, r.creditCode)),
  );
}
