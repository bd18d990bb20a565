/**
 * Enterprise licences (Step 12, item 8): recording them, the warnings their expiry raises on the
 * self-assessment's licence veto item, and the regulator's task list of expiring/expired licences.
 */
import type { Types } from "mongoose";
import { Enterprise } from "../../../models/enterprise";
import { inDistrictScope, type DistrictScoped } from "~/lib/district-scope";
import {
  LICENCE_TYPES,
  LICENCE_WARN_DAYS,
  licenceState,
  licenceWarnings,
  nextLicenceExpiry,
  type Licence,
  type LicenceState,
  type LicenceType,
  type LicenceWarning,
} from "~/lib/enterprise-master-data";
import { msg } from "~/lib/validation";
import { recordAudit } from "../audit.server";
import { canSeeAssessment, type AssessmentViewer } from "../assessments.server";
import { toObjectId, type TenantScope } from "../ids.server";
import type { Actor } from "../memberships.server";
import { readAssessmentView } from "~/data/assessments/view-read.server";

export const MAX_LICENCES = 20;
const DAY_MS = 86_400_000;

export type LicenceRowInput = { type: string; number: string; expiresAt: string };

/** Form rows → licences; blank rows are skipped; errors keyed `licences.<row>.<field>`. */
export function parseLicenceRows(rows: readonly LicenceRowInput[]): { ok: true; licences: Licence[] } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const licences: Licence[] = [];
  rows.forEach((row, i) => {
    const number = row.number.trim();
    const date = row.expiresAt.trim();
    if (!number && !date) return;
    const type = (LICENCE_TYPES as readonly string[]).includes(row.type) ? (row.type as LicenceType) : null;
    if (!type) errors[`licences.${i}.type`] = msg("errors.invalidChoice");
    if (!number || number.length > 60 || /[\p{Cc}]/u.test(number)) errors[`licences.${i}.number`] = msg("licence.error.number");
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    // End of that day, China time (UTC+8): valid through the date printed on the licence.
    const expiresAt = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 15, 59, 59)) : null;
    if (!expiresAt || expiresAt.toISOString().slice(0, 10) !== date || expiresAt.getUTCFullYear() > 2100)
      errors[`licences.${i}.expiresAt`] = msg("licence.error.date");
    if (type && expiresAt && !errors[`licences.${i}.number`] && !errors[`licences.${i}.expiresAt`]) licences.push({ type, number, expiresAt });
  });
  if (licences.length > MAX_LICENCES) errors._form = msg("licence.error.tooMany");
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, licences };
}

/** Replaces the enterprise's licences (renewing a licence is allowed while master data is locked). */
export async function setEnterpriseLicences({
  tenantId,
  enterpriseId,
  licences,
  actor,
  ip,
}: TenantScope & { enterpriseId: Types.ObjectId; licences: Licence[]; actor: Actor; ip: string }): Promise<boolean> {
  const result = await Enterprise.updateOne(
    { tenantId, _id: enterpriseId },
    { $set: { licences, licenceNextExpiry: nextLicenceExpiry(licences) } },
  );
  if (result.matchedCount === 0) return false;
  await recordAudit({
    tenantId,
    action: "enterprise.licences",
    ip,
    actor,
    target: { type: "enterprise", id: String(enterpriseId), label: String(enterpriseId) },
    details: { licences: licences.map((l) => ({ type: l.type, number: l.number, expiresAt: l.expiresAt.toISOString() })) },
  });
  return true;
}

/**
 * Warnings on the licence veto item of an assessment the viewer may see ([] when none or not
 * visible): its enterprise's licences that expired or expire within LICENCE_WARN_DAYS.
 */
export async function licenceWarningsForAssessment({
  tenantId,
  id,
  viewer,
  now = new Date(),
}: TenantScope & { id: string; viewer: AssessmentViewer; now?: Date }): Promise<LicenceWarning[]> {
  const _id = toObjectId(id);
  if (!_id) return [];
  const doc = await readAssessmentView(tenantId, _id);
  if (!doc || !canSeeAssessment(viewer, doc)) return [];
  const enterprise = await Enterprise.findOne({ tenantId, _id: doc.enterpriseId }).select({ licences: 1 }).lean<{ licences?: Licence[] }>();
  return licenceWarnings(doc.rubricKey, enterprise?.licences ?? [], now);
}

export type LicenceAlert = {
  enterpriseId: string;
  enterpriseName: string;
  districtCode: string;
  type: LicenceType;
  number: string;
  expiresAt: Date;
  state: Exclude<LicenceState, "valid">;
};

/**
 * The regulator's licence tasks (for the home to-do list): licences of the tenant's enterprises that
 * expired or expire within `withinDays`, soonest first, within the reader's districts. One indexed
 * range query on `licenceNextExpiry`, bounded by `limit` enterprises.
 */
export async function listLicenceAlerts({
  tenantId,
  now = new Date(),
  withinDays = LICENCE_WARN_DAYS,
  scope = { districtCodes: [] },
  limit = 200,
}: TenantScope & { now?: Date; withinDays?: number; scope?: DistrictScoped; limit?: number }): Promise<LicenceAlert[]> {
  const until = new Date(now.getTime() + withinDays * DAY_MS);
  const enterprises = await Enterprise.find({ tenantId, licenceNextExpiry: { $lte: until } })
    .sort({ licenceNextExpiry: 1, _id: 1 })
    .limit(limit)
    .select({ name: 1, districtCode: 1, licences: 1 })
    .lean<Array<{ _id: Types.ObjectId; name: string; districtCode: string; licences: Licence[] }>>();
  return enterprises
    .filter((e) => inDistrictScope(scope, e.districtCode))
    .flatMap((e) =>
      e.licences.flatMap((l): LicenceAlert[] => {
        const state = licenceState(l.expiresAt, now, withinDays);
        return state === "valid"
          ? []
          : [{ enterpriseId: String(e._id), enterpriseName: e.name, districtCode: e.districtCode, type: l.type, number: l.number, expiresAt: l.expiresAt, state }];
      }),
    )
    .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
}
