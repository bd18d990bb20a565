import { createHash } from "node:crypto";
import mongoose, { Schema, type Model, type Types } from "mongoose";
import { DEFAULT_NUMBER_PATTERN } from "../app/lib/certificate";
import { TenantSlug } from "./tenant-slug";

export type District = { code: string; name: string };
export type TenantSettings = {
  /** Working days a regulator has to accept an application. */
  acceptanceDays: number;
  reviewDays: number;
  publicNoticeDays: number;
  /** Legacy name of minPanelSize (read when minPanelSize is unset; see minPanelSizeOf). */
  reviewersRequired: number;
  /** Smallest review panel (评审组) a review body may form (default 2). */
  minPanelSize?: number;
  /** The lead (组长) must differ from the enterprise's previous review's lead (default off). */
  panelRotation?: boolean;
  certificateValidYears: number;
  certificateNumberPattern: string;
  /** Levels this authority may grant (e.g. a city grants only level3 and "qualified"). */
  grantableLevels: string[];
  yearlyTarget: number;
  /** First-time certifications aimed for, per year and district (Step 12; renewals do not count). */
  yearlyTargets?: Array<{ year: number; districtCode: string; count: number }>;
  /** Local holidays on top of the statutory calendar (chinese-days), YYYY-MM-DD. */
  holidays: string[];
  /** Local make-up workdays on top of the statutory calendar, YYYY-MM-DD. */
  extraWorkdays: string[];
  /** Evidence upload limits; an unset field falls back to DEFAULT_EVIDENCE_LIMITS (app/lib/evidence.ts). */
  evidence?: { maxFileBytes?: number; maxFilesPerItem?: number; maxFilesPerAssessment?: number };
  // Certificates (Step 5); unset falls back to the defaults in app/lib/certificate.ts.
  /** Days before expiry on which the enterprise is reminded (default 90 and 30). */
  certificateReminderDays?: number[];
  /** How long a revocation keeps the enterprise from applying again (default 12 months). */
  revocationBlockMonths?: number;
  /** Months a revocation bars the enterprise from applying (default 12; wins over revocationBlockMonths when set). */
  reapplyAfterRevocationMonths?: number;
  /** How long a rejected application keeps the enterprise from applying again (default 12 months). */
  reapplyAfterRejectionMonths?: number;
  /** Yearly self-assessment reports are due this many days after each anniversary (default 30). */
  yearlyReportDueDays?: number;
  /** How long before expiry a renewal application may start (default 3 months). Superseded by renewalWindowMonths. */
  certificateRenewalMonths?: number;
  /**
   * The renewal window (issue 16 item 4): in the last this-many months before expiry an enterprise
   * may apply to renew (fast track possible). Absent: `certificateRenewalMonths`, then 3.
   */
  renewalWindowMonths?: number;
  /**
   * An organizing unit (组织单位, role `organizer`) accepts applications and checks review reports
   * before the authority's approval (Step 10). Default off: the regulator does both.
   */
  organizerEnabled?: boolean;
  /** After the authority's decision, the enterprise sees its item-by-item review results (default on, Step 10). */
  showReviewResultsToEnterprise?: boolean;
  /** Optional seal image (PNG) printed on certificates; not loaded with the tenant (select: false). */
  certificateSealPng?: Buffer | null;
  /** Credit lists (Step 6); unset fields fall back to CREDIT_DEFAULTS (app/lib/credit.ts). */
  credit?: {
    defenceDays?: number;
    periodMonths?: { serious2023?: number; dishonest2017?: number };
    repairAfterMonths?: number;
    certificateEffect?: "suspend" | "revoke";
    /** Offered listing conditions (keys of CREDIT_CONDITIONS); empty = all. */
    conditions?: string[];
  };
};

/** settings.minPanelSize, falling back to the older reviewersRequired, then 2. */
export function minPanelSizeOf(settings: Pick<TenantSettings, "minPanelSize" | "reviewersRequired">): number {
  return settings.minPanelSize ?? settings.reviewersRequired ?? 2;
}

export type TenantDoc = {
  _id: Types.ObjectId;
  slug: string;
  name: { zh: string; en: string };
  authority: { zh: string; en: string };
  /** GB/T 2260 province code (PP0000); older tenants derive it from `regionCode`. */
  provinceCode?: string;
  regionCode: string;
  districts: District[];
  settings: TenantSettings;
  /** A deactivated tenant's pages answer 410 and its logins are refused (platform admin, Step 12). */
  active?: boolean;
  deactivatedAt?: Date | null;
  deactivationReason?: string;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<TenantDoc>(
  {
    slug: { type: String, required: true, unique: true, match: /^[a-z0-9][a-z0-9-]{1,39}$/ },
    name: { zh: { type: String, required: true }, en: { type: String, required: true } },
    authority: { zh: { type: String, required: true }, en: { type: String, required: true } },
    provinceCode: { type: String, match: /^\d{2}0000$/ },
    regionCode: { type: String, required: true, match: /^\d{6}$/ },
    active: { type: Boolean, default: true },
    deactivatedAt: { type: Date, default: null },
    deactivationReason: { type: String, default: "", maxlength: 500 },
    districts: [{ _id: false, code: { type: String, required: true }, name: { type: String, required: true } }],
    settings: {
      acceptanceDays: { type: Number, default: 5, min: 1 },
      reviewDays: { type: Number, default: 40, min: 1 },
      publicNoticeDays: { type: Number, default: 5, min: 1 },
      reviewersRequired: { type: Number, default: 2, min: 1 },
      minPanelSize: { type: Number, min: 1 },
      panelRotation: { type: Boolean, default: false },
      certificateValidYears: { type: Number, default: 3, min: 1 },
      certificateNumberPattern: { type: String, default: DEFAULT_NUMBER_PATTERN },
      grantableLevels: { type: [String], default: ["level3", "qualified"] },
      yearlyTarget: { type: Number, default: 1000, min: 0 },
      yearlyTargets: {
        type: [{ _id: false, year: { type: Number, required: true }, districtCode: { type: String, required: true }, count: { type: Number, required: true, min: 0 } }],
        default: [],
      },
      holidays: { type: [String], default: [] },
      extraWorkdays: { type: [String], default: [] },
      evidence: {
        maxFileBytes: { type: Number, min: 1 },
        maxFilesPerItem: { type: Number, min: 1 },
        maxFilesPerAssessment: { type: Number, min: 1 },
      },
      certificateReminderDays: { type: [Number], default: [90, 30] },
      revocationBlockMonths: { type: Number, default: 12, min: 0 },
      reapplyAfterRevocationMonths: { type: Number, min: 0 },
      reapplyAfterRejectionMonths: { type: Number, default: 12, min: 0 },
      certificateRenewalMonths: { type: Number, default: 3, min: 0 },
      renewalWindowMonths: { type: Number, min: 0, max: 24 },
      yearlyReportDueDays: { type: Number, min: -180, max: 180 },
      organizerEnabled: { type: Boolean, default: false },
      showReviewResultsToEnterprise: { type: Boolean, default: true },
      certificateSealPng: { type: Buffer, default: null, select: false },
      credit: {
        defenceDays: { type: Number, min: 1 },
        periodMonths: { serious2023: { type: Number, min: 1 }, dishonest2017: { type: Number, min: 1 } },
        repairAfterMonths: { type: Number, min: 0 },
        certificateEffect: { type: String, enum: ["suspend", "revoke"] },
        conditions: { type: [String], default: undefined },
      },
    },
  },
  { timestamps: true, versionKey: false },
);

/**
 * New tenants get an `_id` derived from their slug (slugs never change), so the request path finds
 * a tenant by its URL with one `_id` read and no lookup table (decision 010).
 */
const derivedIds = new Map<string, Buffer>();
export function tenantIdForSlug(slug: string): Types.ObjectId {
  // A pure function of the slug: remembering its result (a hash per request in the profile) cannot go stale.
  let bytes = derivedIds.get(slug);
  if (!bytes) {
    bytes = createHash("sha256").update(`safegrade:tenant:${slug}`).digest().subarray(0, 12);
    if (derivedIds.size > 1000) derivedIds.clear();
    derivedIds.set(slug, bytes);
  }
  return new mongoose.Types.ObjectId(bytes);
}

schema.pre("validate", function () {
  if (this.isNew && typeof this.slug === "string") this._id = tenantIdForSlug(this.slug);
});

async function recordSlugs(docs: Array<Pick<TenantDoc, "_id" | "slug">>): Promise<void> {
  await Promise.all(
    docs.map((d) => TenantSlug.updateOne({ _id: d.slug }, { $set: { tenantId: d._id } }, { upsert: true })),
  );
}
schema.post("save", async function (doc: TenantDoc) {
  await recordSlugs([doc]);
});
// mongoose types the result of insertMany as the model; it is the inserted documents.
schema.post("insertMany", async function (docs: unknown) {
  await recordSlugs(docs as TenantDoc[]);
});

export const Tenant: Model<TenantDoc> = mongoose.models.Tenant ?? mongoose.model<TenantDoc>("Tenant", schema, "tenants");
