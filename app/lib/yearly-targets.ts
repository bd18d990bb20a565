/**
 * Yearly targets per district (Step 12): first-time certifications aimed for. Pure, used by the
 * dashboard figures (app/data/dashboard.server.ts) and available to the home pages.
 */
type TargetSettings = { settings: { yearlyTarget: number; yearlyTargets?: Array<{ year: number; districtCode: string; count: number }> } };

/** The year's per-district targets (Step 12), or null when the tenant set none for that year. */
export function yearlyTargetsOf(tenant: TargetSettings, year: number): Map<string, number> | null {
  const rows = (tenant.settings.yearlyTargets ?? []).filter((t) => t.year === year);
  return rows.length > 0 ? new Map(rows.map((t) => [t.districtCode, t.count])) : null;
}

/**
 * The target for what is in view: the districts' targets of the year (one district, the reader's
 * districts, or all), else the tenant-wide `yearlyTarget` of tenants without per-district targets.
 */
export function targetInView(tenant: TargetSettings, f: { year: number; district: string; scope: readonly string[] }): number {
  const targets = yearlyTargetsOf(tenant, f.year);
  if (!targets) return tenant.settings.yearlyTarget;
  const codes = f.district ? [f.district] : f.scope.length > 0 ? f.scope : [...targets.keys()];
  return codes.reduce((n, code) => n + (targets.get(code) ?? 0), 0);
}

