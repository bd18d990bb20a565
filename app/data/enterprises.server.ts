import { findByIds } from "../../models/find-by-ids";
import type { Types } from "mongoose";
import { Assessment } from "../../models/assessment";
import { Enterprise, type EnterpriseDoc } from "../../models/enterprise";
import { Membership, type MembershipDoc } from "../../models/membership";
import { User } from "../../models/user";
import { linkCreditRecordsToEnterprise } from "./credit-check.server";
import type { IndustryKey, Role, SizeClass } from "~/lib/domain";
import type { EnterpriseFields } from "~/lib/validation";
import { inDistrictScope, type DistrictScoped } from "~/lib/district-scope";
import { filterEnterpriseRows } from "~/lib/lists/enterprise-rows";
import { pageOf } from "~/lib/lists/rows";
import { recordAudit } from "./audit.server";
import { enterpriseRows } from "./enterprise-rows.server";
import { casUpdate } from "./cas.server";
import { toObjectId, type TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import type { TenantView } from "./tenants.server";

export type Actor = { id: Types.ObjectId; email: string };

export type EnterpriseView = Pick<
  EnterpriseDoc,
  | "_id"
  | "tenantId"
  | "name"
  | "creditCode"
  | "industry"
  | "sizeClass"
  | "districtCode"
  | "industryDivision"
  | "industrySection"
  | "scale"
  | "licences"
  | "licenceNextExpiry"
  | "address"
  | "contactName"
  | "contactPhone"
  | "status"
  | "version"
  | "lockedReason"
  | "createdAt"
  | "updatedAt"
>;

export type EnterpriseListItem = Pick<
  EnterpriseDoc,
  "_id" | "name" | "creditCode" | "industry" | "sizeClass" | "districtCode" | "status"
>;

/** The fields an edit form writes; everything else (status, lock, version) has its own path. */
const EDITABLE_FIELDS = [
  "name",
  "creditCode",
  "industry",
  "sizeClass",
  "districtCode",
  "industryDivision",
  "scale",
  "address",
  "contactName",
  "contactPhone",
] as const satisfies ReadonlyArray<keyof EnterpriseFields & keyof EnterpriseDoc>;

export const MAX_PAGE_SIZE = 100;

/** No district limit (jobs, the enterprise's own pages, tests). */
export const ALL_DISTRICTS: DistrictScoped = { districtCodes: [] };

/** Districts an enterprise can belong to; a tenant without districts is one district itself. */
export function districtOptions(
  tenant: Pick<TenantView, "districts" | "regionCode" | "name">,
): Array<{ code: string; name: string }> {
  return tenant.districts.length > 0
    ? tenant.districts
    : [{ code: tenant.regionCode, name: tenant.name.zh }];
}

export function isTenantDistrict(
  tenant: Pick<TenantView, "districts" | "regionCode" | "name">,
  code: string,
): boolean {
  return districtOptions(tenant).some((d) => d.code === code);
}

export async function listEnterprises({
  tenantId,
  q,
  districtCode,
  industry,
  sizeClass,
  page = 1,
  pageSize = 20,
  scope = ALL_DISTRICTS,
}: TenantScope & {
  q?: string;
  districtCode?: string;
  /** The member's district limit (Step 12); the list never leaves it. */
  scope?: DistrictScoped;
  industry?: IndustryKey;
  sizeClass?: SizeClass;
  page?: number;
  pageSize?: number;
}): Promise<{ items: EnterpriseListItem[]; total: number; page: number; pageSize: number }> {
  // From the tenant's cached rows (decision 031): one stamp read instead of a sort and a count
  // over every enterprise of the tenant (FerretDB pushes neither down).
  const rows = filterEnterpriseRows(await enterpriseRows(tenantId), { q, districtCode, industry, sizeClass, scope });
  return pageOf(rows, page, pageSize, (r): EnterpriseListItem => ({
    _id: r._id,
    name: r.name,
    creditCode: r.creditCode,
    industry: r.industry,
    sizeClass: r.sizeClass,
    districtCode: r.districtCode,
    status: r.status,
  }));
}

/** One enterprise; outside the member's districts it does not exist for them (null → 404). */
export async function getEnterprise({
  tenantId,
  id,
  scope = ALL_DISTRICTS,
}: TenantScope & { id: string | Types.ObjectId; scope?: DistrictScoped }): Promise<EnterpriseView | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  const enterprise = await Enterprise.findOne({ tenantId, _id }).lean<EnterpriseView>();
  return enterprise && inDistrictScope(scope, enterprise.districtCode) ? enterprise : null;
}

export type EnterpriseAccount = {
  membershipId: Types.ObjectId;
  userId: Types.ObjectId;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
};

export async function listEnterpriseAccounts({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<EnterpriseAccount[]> {
  const memberships = await Membership.find({ tenantId, enterpriseId })
    .sort({ createdAt: 1, _id: 1 })
    .lean<MembershipDoc[]>();
  if (memberships.length === 0) return [];
  const users = await findByIds<{ _id: Types.ObjectId; name: string; email: string; disabled: boolean }>(User, memberships.map((m) => m.userId), {
    select: { name: 1, email: 1, disabled: 1 },
  });
  const byId = new Map(users.map((u) => [String(u._id), u]));
  return memberships.flatMap((m) => {
    const user = byId.get(String(m.userId));
    if (!user) return [];
    return [
      {
        membershipId: m._id,
        userId: m.userId,
        name: user.name,
        email: user.email,
        role: m.role,
        disabled: user.disabled,
      },
    ];
  });
}

export type EnterpriseWriteError = "creditCodeTaken" | "conflict" | "notFound" | "locked";
export type EnterpriseWriteResult =
  | { ok: true; enterprise: EnterpriseView; changed: string[] }
  | { ok: false; error: EnterpriseWriteError };

export async function createEnterprise({
  tenantId,
  fields,
  actor,
  ip,
}: TenantScope & { fields: EnterpriseFields; actor: Actor; ip: string }): Promise<
  { ok: true; enterprise: EnterpriseView } | { ok: false; error: "creditCodeTaken" }
> {
  let created: EnterpriseView;
  try {
    const doc = await Enterprise.create({
      tenantId,
      ...pickEditable(fields),
      status: "active",
      version: 0,
    });
    created = doc.toObject<EnterpriseView>();
  } catch (error) {
    // The unique (tenantId, creditCode) index decides, so two simultaneous creates cannot both win.
    if (isDuplicateKeyError(error)) return { ok: false, error: "creditCodeTaken" };
    throw error;
  }
  await recordAudit({
    tenantId,
    action: "enterprise.created",
    actor,
    ip,
    target: { type: "enterprise", id: String(created._id), label: created.name },
    details: { creditCode: created.creditCode },
  });
  // Credit records recorded before the enterprise existed now point to it (Step 6).
  await linkCreditRecordsToEnterprise({ tenantId, enterpriseId: created._id, creditCode: created.creditCode });
  return { ok: true, enterprise: created };
}

/**
 * Compare-and-set on `version` (through `casUpdate`, which is atomic on FerretDB too): the write
 * happens only if nobody saved since the form was loaded; otherwise nothing is written and the
 * caller gets `conflict`.
 */
export async function updateEnterprise({
  tenantId,
  id,
  expectedVersion,
  fields,
  actor,
  ip,
}: TenantScope & {
  id: string | Types.ObjectId;
  expectedVersion: number;
  fields: EnterpriseFields;
  actor: Actor;
  ip: string;
}): Promise<EnterpriseWriteResult> {
  const current = await getEnterprise({ tenantId, id });
  if (!current) return { ok: false, error: "notFound" };
  // Master-data lock: set while a grading application is under way (DOMAIN.md §5). Whatever sets
  // or clears `lockedReason` must go through `casUpdate` as well, so a lock and an edit cannot cross.
  if (current.lockedReason) return { ok: false, error: "locked" };
  if (current.version !== expectedVersion) return { ok: false, error: "conflict" };

  const next = pickEditable(fields, current);
  const changes: Record<string, { from: string; to: string }> = {};
  for (const key of EDITABLE_FIELDS) {
    if (current[key] !== next[key]) changes[key] = { from: current[key], to: next[key] };
  }
  const changed = Object.keys(changes);
  if (changed.length === 0) return { ok: true, enterprise: current, changed };
  // Checked up front so the usual case does not depend on how the server reports a unique
  // violation during an update; the unique index still decides a race.
  if (changes.creditCode && (await Enterprise.exists({ tenantId, creditCode: next.creditCode }))) {
    return { ok: false, error: "creditCodeTaken" };
  }

  let won: boolean;
  try {
    won = await casUpdate(
      Enterprise,
      { _id: current._id, tenantId, expectedVersion, extra: { lockedReason: null } },
      { $set: next },
    );
  } catch (error) {
    if (isDuplicateKeyError(error)) return { ok: false, error: "creditCodeTaken" };
    throw error;
  }
  const now = await getEnterprise({ tenantId, id: current._id });
  if (!won || !now) {
    // Lost the race between our read and our write: someone saved (or locked) in between.
    return { ok: false, error: !now ? "notFound" : now.lockedReason ? "locked" : "conflict" };
  }
  // Applications carry the district for district-limited lists (Step 12): keep them in step.
  if (changed.includes("districtCode"))
    await Assessment.updateMany({ tenantId, enterpriseId: now._id }, { $set: { districtCode: now.districtCode } });
  await recordAudit({
    tenantId,
    action: "enterprise.updated",
    actor,
    ip,
    target: { type: "enterprise", id: String(now._id), label: now.name },
    details: { changed, changes, version: now.version },
  });
  return { ok: true, enterprise: now, changed };
}

function pickEditable(
  fields: EnterpriseFields,
  current?: Pick<EnterpriseDoc, "industryDivision" | "scale">,
): Pick<EnterpriseDoc, (typeof EDITABLE_FIELDS)[number]> {
  return {
    name: fields.name,
    creditCode: fields.creditCode,
    industry: fields.industry,
    sizeClass: fields.sizeClass,
    districtCode: fields.districtCode,
    industryDivision: fields.industryDivision ?? current?.industryDivision ?? "",
    scale: fields.scale ?? current?.scale ?? "",
    address: fields.address,
    contactName: fields.contactName,
    contactPhone: fields.contactPhone,
  };
}
