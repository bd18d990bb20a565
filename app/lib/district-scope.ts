/**
 * District-limited regulators (Step 12): a member whose `districtCodes` is non-empty sees only
 * enterprises (and their applications, certificates, registrations, figures) of those districts.
 * Empty = the whole tenant (a city-level regulator). Pure: used by routes, data functions and tests.
 */
export type DistrictScoped = { districtCodes: readonly string[] };

export function isDistrictLimited(member: DistrictScoped): boolean {
  return member.districtCodes.length > 0;
}

export function inDistrictScope(member: DistrictScoped, districtCode: string): boolean {
  return !isDistrictLimited(member) || member.districtCodes.includes(districtCode);
}

/**
 * The districts a list may show, given the district the user asked for ("" = any):
 * `null` = no restriction; `[]` = nothing (asked for a district outside the scope);
 * otherwise the codes to filter on (one → a top-level equality, several → `$in`).
 */
export function districtsToShow(member: DistrictScoped, requested: string): string[] | null {
  if (!isDistrictLimited(member)) return requested ? [requested] : null;
  if (requested) return member.districtCodes.includes(requested) ? [requested] : [];
  return [...member.districtCodes];
}

/** The filter value for a `districtCode` field (top-level equality when there is one district). */
export function districtCondition(codes: readonly string[]): string | { $in: string[] } {
  return codes.length === 1 && codes[0] !== undefined ? codes[0] : { $in: [...codes] };
}

/** The tenant's district options a member may pick (filters, forms). */
export function visibleDistricts<D extends { code: string }>(member: DistrictScoped, districts: readonly D[]): D[] {
  return districts.filter((d) => inDistrictScope(member, d.code));
}
