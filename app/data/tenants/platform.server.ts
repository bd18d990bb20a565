/**
 * Tenants created and configured by the platform (Step 12, item 6). The platform page and the CLI
 * (scripts/tenant.ts) both call these functions, so both validate with the same schema
 * (app/lib/tenant-config.ts). The tenant `_id` stays derived from its slug (decision 010).
 */
import type { Types } from "mongoose";
import { DashboardSnapshot } from "../../../models/dashboard-snapshot";
import { Enterprise } from "../../../models/enterprise";
import { Tenant, tenantIdForSlug, type TenantDoc } from "../../../models/tenant";
import { TenantSlug } from "../../../models/tenant-slug";
import { connectDb } from "~/db.server";
import type { Locale } from "~/i18n";
import {
  districtLinesOf,
  targetLinesOf,
  tenantConfigSchema,
  tenantSlugSchema,
  withDefaults,
  type TenantConfig,
  type TenantConfigField,
  type TenantConfigInput,
} from "~/lib/tenant-config";
import { fieldErrors, msg } from "~/lib/validation";
import { recordAudit } from "../audit.server";
import { createInvitation, type CreateInvitationError } from "../invitations.server";
import type { Actor } from "../memberships.server";
import { isDuplicateKeyError } from "../mongo-errors.server";
import { isTenantActive } from "../tenants.server";

export type FieldErrors = Record<string, string>;
type Failure = { ok: false; status: 400 | 404 | 409; errors: FieldErrors };

/** The configuration as the tenant document stores it ($set paths, so unrelated settings stay). */
function configSet(config: TenantConfig): Record<string, unknown> {
  const s = config.settings;
  return {
    name: config.authority,
    authority: config.authority,
    provinceCode: config.provinceCode,
    regionCode: config.regionCode,
    districts: config.districts,
    "settings.certificateNumberPattern": s.certificateNumberPattern,
    "settings.grantableLevels": s.grantableLevels,
    "settings.acceptanceDays": s.acceptanceDays,
    "settings.reviewDays": s.reviewDays,
    "settings.publicNoticeDays": s.publicNoticeDays,
    "settings.reviewersRequired": s.reviewersRequired,
    "settings.certificateValidYears": s.certificateValidYears,
    "settings.holidays": s.holidays,
    "settings.extraWorkdays": s.extraWorkdays,
    "settings.yearlyTargets": s.yearlyTargets,
  };
}

/** Credit settings left empty are unset, so the platform's CREDIT_DEFAULTS apply to them. */
function creditWrite(config: TenantConfig): { set: Record<string, unknown>; unset: Record<string, ""> } {
  const set: Record<string, unknown> = {};
  const unset: Record<string, ""> = {};
  for (const [key, value] of Object.entries(config.settings.credit)) {
    if (value === undefined) unset[`settings.credit.${key}`] = "";
    else set[`settings.credit.${key}`] = value;
  }
  for (const key of ["defenceDays", "repairAfterMonths", "certificateEffect"] as const) {
    if (!(key in config.settings.credit)) unset[`settings.credit.${key}`] = "";
  }
  return { set, unset };
}

export function parseTenantConfig(input: TenantConfigInput): { ok: true; config: TenantConfig } | Failure {
  const parsed = tenantConfigSchema.safeParse(withDefaults(input));
  if (!parsed.success) return { ok: false, status: 400, errors: fieldErrors(parsed.error) };
  return { ok: true, config: parsed.data };
}

async function slugTaken(slug: string): Promise<boolean> {
  const [derived, legacy] = await Promise.all([
    Tenant.exists({ _id: tenantIdForSlug(slug) }),
    TenantSlug.exists({ _id: slug }),
  ]);
  return Boolean(derived ?? legacy);
}

export type InviteError = CreateInvitationError | "notFound" | "email";
export type CreatedTenant = { ok: true; tenantId: Types.ObjectId; slug: string; invitationError?: InviteError };

/**
 * Creates a tenant from the platform's input; with `adminEmail`, also invites its first tenant
 * admin (the email names the authority). Bad input: field errors, nothing written.
 */
export async function createTenant({
  input,
  actor,
  ip,
  locale,
  now = new Date(),
}: {
  input: TenantConfigInput & { adminEmail?: string };
  actor: Actor;
  ip: string;
  locale: Locale;
  now?: Date;
}): Promise<CreatedTenant | Failure> {
  await connectDb();
  const slug = tenantSlugSchema.safeParse(input.slug ?? "");
  const parsed = parseTenantConfig(input);
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  if (!slug.success) errors.slug = fieldErrors(slug.error)._form ?? msg("platform.error.slug");
  const adminEmail = (input.adminEmail ?? "").trim().toLowerCase();
  if (adminEmail && !/^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/.test(adminEmail)) errors.adminEmail = msg("errors.email");
  if (!slug.success || !parsed.ok || Object.keys(errors).length > 0) return { ok: false, status: 400, errors };
  if (await slugTaken(slug.data)) return { ok: false, status: 409, errors: { slug: msg("platform.error.slugTaken") } };
  const c = parsed.config;
  let created: TenantDoc;
  try {
    created = await Tenant.create({
      slug: slug.data,
      name: c.authority,
      authority: c.authority,
      provinceCode: c.provinceCode,
      regionCode: c.regionCode,
      districts: c.districts,
      active: true,
      settings: {
        ...c.settings,
        credit: Object.fromEntries(Object.entries(c.settings.credit).filter(([, v]) => v !== undefined)),
        yearlyTarget: c.settings.yearlyTargets.reduce((n, t) => n + t.count, 0) || 1000,
      },
    });
  } catch (error) {
    if (isDuplicateKeyError(error)) return { ok: false, status: 409, errors: { slug: msg("platform.error.slugTaken") } };
    throw error;
  }
  await recordAudit({
    tenantId: created._id,
    action: "tenant.created",
    ip,
    actor,
    target: { type: "tenant", id: String(created._id), label: created.slug },
    details: { regionCode: c.regionCode, districts: c.districts.length },
    at: now,
  });
  const result: CreatedTenant = { ok: true, tenantId: created._id, slug: created.slug };
  if (adminEmail) {
    const invited = await inviteTenantAdmin({ slug: created.slug, email: adminEmail, actor, ip, locale, now });
    if (!invited.ok) result.invitationError = invited.error;
  }
  return result;
}

type PlatformTenant = Pick<
  TenantDoc,
  "_id" | "slug" | "name" | "authority" | "provinceCode" | "regionCode" | "districts" | "settings" | "active" | "deactivatedAt" | "deactivationReason"
>;

/** Any tenant by slug, active or not (the platform pages): `_id` reads only. */
export async function getPlatformTenant({ slug }: { slug: string }): Promise<PlatformTenant | null> {
  if (!tenantSlugSchema.safeParse(slug).success) return null;
  await connectDb();
  const byId = await Tenant.findOne({ _id: tenantIdForSlug(slug) }).lean<PlatformTenant>();
  if (byId?.slug === slug) return byId;
  const entry = await TenantSlug.findOne({ _id: slug }).lean();
  if (!entry) return null;
  const legacy = await Tenant.findOne({ _id: entry.tenantId }).lean<PlatformTenant>();
  return legacy?.slug === slug ? legacy : null;
}

/** The stored configuration as form input (the edit page and `tenant show`). */
export function configInputOf(tenant: PlatformTenant): Record<TenantConfigField, string> {
  const s = tenant.settings;
  return withDefaults({
    authorityZh: tenant.authority.zh,
    authorityEn: tenant.authority.en,
    provinceCode: tenant.provinceCode ?? `${tenant.regionCode.slice(0, 2)}0000`,
    cityCode: tenant.regionCode.endsWith("0000") ? "" : tenant.regionCode,
    districts: districtLinesOf(tenant.districts),
    numberPattern: s.certificateNumberPattern,
    grantableLevels: s.grantableLevels.join(","),
    acceptanceDays: String(s.acceptanceDays),
    reviewDays: String(s.reviewDays),
    publicNoticeDays: String(s.publicNoticeDays),
    reviewersRequired: String(s.reviewersRequired),
    certificateValidYears: String(s.certificateValidYears),
    holidays: s.holidays.join("\n"),
    extraWorkdays: s.extraWorkdays.join("\n"),
    ...(s.credit?.defenceDays !== undefined ? { creditDefenceDays: String(s.credit.defenceDays) } : {}),
    ...(s.credit?.repairAfterMonths !== undefined ? { creditRepairAfterMonths: String(s.credit.repairAfterMonths) } : {}),
    ...(s.credit?.certificateEffect ? { creditCertificateEffect: s.credit.certificateEffect } : {}),
    targets: targetLinesOf(s.yearlyTargets ?? []),
  });
}

/**
 * Saves a new configuration. A district that still has enterprises cannot be removed (their
 * `districtCode` would point nowhere); one bounded `exists` per removed district.
 */
export async function updateTenantConfig({
  slug,
  input,
  actor,
  ip,
}: {
  slug: string;
  input: TenantConfigInput;
  actor: Actor;
  ip: string;
}): Promise<{ ok: true } | Failure> {
  const tenant = await getPlatformTenant({ slug });
  if (!tenant) return { ok: false, status: 404, errors: { _form: msg("platform.error.notFound") } };
  const parsed = parseTenantConfig(input);
  if (!parsed.ok) return parsed;
  const kept = new Set(parsed.config.districts.map((d) => d.code));
  for (const removed of tenant.districts.filter((d) => !kept.has(d.code))) {
    if (await Enterprise.exists({ tenantId: tenant._id, districtCode: removed.code }))
      return { ok: false, status: 409, errors: { districts: msg("platform.error.districtInUse", { value: removed.code }) } };
  }
  const credit = creditWrite(parsed.config);
  const set = { ...configSet(parsed.config), ...credit.set };
  set["settings.yearlyTarget"] = parsed.config.settings.yearlyTargets.reduce((n, t) => n + t.count, 0) || tenant.settings.yearlyTarget;
  await Tenant.updateOne(
    { _id: tenant._id },
    Object.keys(credit.unset).length > 0 ? { $set: set, $unset: credit.unset } : { $set: set },
  );
  await recordAudit({
    tenantId: tenant._id,
    action: "tenant.configured",
    ip,
    actor,
    target: { type: "tenant", id: String(tenant._id), label: tenant.slug },
  });
  return { ok: true };
}

/** Deactivates (pages answer 410, logins refused) or reactivates a tenant. Data is kept. */
export async function setTenantActive({
  slug,
  active,
  reason = "",
  actor,
  ip,
  now = new Date(),
}: {
  slug: string;
  active: boolean;
  reason?: string;
  actor: Actor;
  ip: string;
  now?: Date;
}): Promise<{ ok: true } | Failure> {
  const tenant = await getPlatformTenant({ slug });
  if (!tenant) return { ok: false, status: 404, errors: { _form: msg("platform.error.notFound") } };
  const cleanReason = reason.trim().slice(0, 500);
  if (!active && !cleanReason) return { ok: false, status: 400, errors: { reason: msg("errors.reasonRequired") } };
  await Tenant.updateOne(
    { _id: tenant._id },
    { $set: active ? { active: true, deactivatedAt: null, deactivationReason: "" } : { active: false, deactivatedAt: now, deactivationReason: cleanReason } },
  );
  await recordAudit({
    tenantId: tenant._id,
    action: active ? "tenant.reactivated" : "tenant.deactivated",
    ip,
    actor,
    target: { type: "tenant", id: String(tenant._id), label: tenant.slug },
    details: active ? {} : { reason: cleanReason },
    at: now,
  });
  return { ok: true };
}

/** Invites a tenant admin (reuses invitations; the email names the authority in the invitee's language). */
export async function inviteTenantAdmin({
  slug,
  email,
  actor,
  ip,
  locale,
  now = new Date(),
}: {
  slug: string;
  email: string;
  actor: Actor;
  ip: string;
  locale: Locale;
  now?: Date;
}): Promise<{ ok: true; link: string } | { ok: false; error: InviteError }> {
  const tenant = await getPlatformTenant({ slug });
  if (!tenant) return { ok: false, error: "notFound" };
  const clean = email.trim().toLowerCase();
  if (!/^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/.test(clean)) return { ok: false, error: "email" };
  const result = await createInvitation({
    tenantId: tenant._id,
    tenantSlug: tenant.slug,
    tenantName: locale === "en" ? tenant.authority.en : tenant.authority.zh,
    email: clean,
    role: "tenant_admin",
    enterpriseId: null,
    invitedBy: actor,
    ip,
    locale,
    now,
  });
  return result.ok ? { ok: true, link: result.link } : result;
}

export type TenantListItem = {
  slug: string;
  authority: { zh: string; en: string };
  regionCode: string;
  districts: number;
  active: boolean;
  counts: { enterprises: number; applications: number; certificates: number } | null;
  countedAt: Date | null;
};

/** Most tenants the platform list shows; a platform has tens of authorities, not thousands. */
export const PLATFORM_TENANT_LIMIT = 500;

/**
 * Every tenant with its counts. Counts come from the dashboard snapshot heads (stored totals,
 * refreshed by the dashboard job): no collection is counted per request.
 */
export async function listTenantsForPlatform(): Promise<TenantListItem[]> {
  await connectDb();
  const tenants = await Tenant.find({})
    .select({ slug: 1, authority: 1, regionCode: 1, districts: 1, active: 1 })
    .sort({ slug: 1 })
    .limit(PLATFORM_TENANT_LIMIT)
    .lean<Array<Pick<TenantDoc, "_id" | "slug" | "authority" | "regionCode" | "districts" | "active">>>();
  const heads = await DashboardSnapshot.find({ tenantId: { $in: tenants.map((t) => t._id) } })
    .select({ tenantId: 1, totals: 1, computedAt: 1 })
    .limit(PLATFORM_TENANT_LIMIT)
    .lean<Array<{ tenantId: Types.ObjectId; totals?: TenantListItem["counts"]; computedAt: Date }>>();
  const byTenant = new Map(heads.map((h) => [String(h.tenantId), h]));
  return tenants.map((t) => {
    const head = byTenant.get(String(t._id));
    return {
      slug: t.slug,
      authority: t.authority,
      regionCode: t.regionCode,
      districts: t.districts.length,
      active: isTenantActive(t),
      counts: head?.totals ?? null,
      countedAt: head?.totals ? head.computedAt : null,
    };
  });
}
