import mongoose, { Schema, type Model, type Types } from "mongoose";
import {
  CERTIFICATE_HISTORY_ACTIONS,
  CERTIFICATE_STATUSES,
  type CertificateHistoryAction,
  type CertificateStatus,
} from "../app/lib/certificate";
import { INDUSTRY_KEYS, type IndustryKey } from "../app/lib/domain";
import { REVOCATION_GROUND_KEYS, type RevocationGroundKey } from "../app/lib/revocation-grounds";
import { stampOnWrite } from "./public-stamp";
import { tenantScoped } from "./tenant-scoped";

/**
 * A grading certificate (安全生产标准化证书), issued once per certified application. What it
 * prints (enterprise, level, issuer, dates) is a snapshot taken at issue, so later edits of the
 * enterprise never change a certificate. Status changes are compare-and-set writes on `version`
 * (docs/decisions/001-compare-and-set.md); numbering is docs/decisions/006.
 */
export type CertificateHistoryEntry = {
  at: Date;
  actorId: Types.ObjectId | null;
  action: CertificateHistoryAction;
  reason: string;
  details?: Record<string, unknown>;
};

export type CertificateDoc = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  applicationId: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  /** Printed number, from the tenant's pattern at issue. */
  number: string;
  /** Sequence scope (the issue year, or 0 when the pattern shows no year) and position in it. */
  year: number;
  seq: number;
  /** `certno:<tenantId>:<year>:<seq>`: the unique key that arbitrates concurrent numbering. */
  seqKey: string;
  /** Public verification code: 128 random bits, base64url. */
  verifyCode: string;
  level: string;
  levelName: { zh: string; en: string };
  enterprise: {
    name: string;
    creditCode: string;
    industry: IndustryKey;
    districtCode: string;
    districtName: string;
  };
  issuer: { zh: string; en: string };
  /** The tenant's name at issue (printed at the top). */
  tenantName: { zh: string; en: string };
  issuedAt: Date;
  validUntil: Date;
  status: CertificateStatus;
  suspendedAt: Date | null;
  suspendedReason: string;
  revokedAt: Date | null;
  /** The facts the regulator wrote (published with the grounds). */
  revokedReason: string;
  /** The stated grounds (app/lib/revocation-grounds.ts), published on the verification page. */
  revokedGrounds: RevocationGroundKey[];
  /** Until when a revocation keeps the enterprise from applying again (DOMAIN.md §6). */
  blockedUntil: Date | null;
  expiredAt: Date | null;
  /** Reminder thresholds (days before expiry) already sent. */
  remindersSent: number[];
  renewalApplicationId: Types.ObjectId | null;
  /** The certificate this one renews (复评/延期), and the one that renewed this one. */
  renewalOfCertificateId?: Types.ObjectId | null;
  renewedByCertificateId?: Types.ObjectId | null;
  history: CertificateHistoryEntry[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<CertificateDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    applicationId: { type: Schema.Types.ObjectId, required: true },
    enterpriseId: { type: Schema.Types.ObjectId, required: true },
    number: { type: String, required: true },
    year: { type: Number, required: true },
    seq: { type: Number, required: true, min: 1 },
    seqKey: { type: String, required: true },
    verifyCode: { type: String, required: true },
    level: { type: String, required: true },
    levelName: { zh: { type: String, required: true }, en: { type: String, default: "" } },
    enterprise: {
      name: { type: String, required: true },
      creditCode: { type: String, required: true },
      industry: { type: String, enum: INDUSTRY_KEYS, required: true },
      districtCode: { type: String, default: "" },
      districtName: { type: String, default: "" },
    },
    issuer: { zh: { type: String, required: true }, en: { type: String, default: "" } },
    tenantName: { zh: { type: String, required: true }, en: { type: String, default: "" } },
    issuedAt: { type: Date, required: true },
    validUntil: { type: Date, required: true },
    status: { type: String, enum: CERTIFICATE_STATUSES, default: "active" },
    suspendedAt: { type: Date, default: null },
    suspendedReason: { type: String, default: "" },
    revokedAt: { type: Date, default: null },
    revokedReason: { type: String, default: "" },
    revokedGrounds: { type: [{ type: String, enum: REVOCATION_GROUND_KEYS }], default: [] },
    blockedUntil: { type: Date, default: null },
    expiredAt: { type: Date, default: null },
    remindersSent: { type: [Number], default: [] },
    renewalApplicationId: { type: Schema.Types.ObjectId, default: null },
    renewalOfCertificateId: { type: Schema.Types.ObjectId, default: null },
    renewedByCertificateId: { type: Schema.Types.ObjectId, default: null },
    history: [
      {
        _id: false,
        at: { type: Date, required: true },
        actorId: { type: Schema.Types.ObjectId, default: null },
        action: { type: String, enum: CERTIFICATE_HISTORY_ACTIONS, required: true },
        reason: { type: String, default: "" },
        details: Schema.Types.Mixed,
      },
    ],
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// One certificate per application: a repeated or concurrent issue finds the first one.
schema.index({ tenantId: 1, applicationId: 1 }, { unique: true });
schema.index({ seqKey: 1 }, { unique: true });
schema.index({ tenantId: 1, number: 1 }, { unique: true });
schema.index({ verifyCode: 1 }, { unique: true });
// Public lookup by the printed number (plus the credit code, checked on the few matches).
schema.index({ number: 1 });
schema.index({ tenantId: 1, year: 1, seq: -1 });
schema.index({ tenantId: 1, status: 1, validUntil: 1 });
schema.index({ tenantId: 1, enterpriseId: 1, issuedAt: -1, _id: -1 });
// List and registry pages: issue order, optional filters applied while paging (docs/scale-out.md).
schema.index({ tenantId: 1, issuedAt: -1, _id: -1 });
schema.index({ tenantId: 1, status: 1, issuedAt: -1, _id: -1 });
schema.plugin(tenantScoped);
// Public pages cache what they read from here; every write gives them a new stamp (decision 029).
schema.plugin(stampOnWrite, { scope: "certificates", tenantScope: "certificates" });

export const Certificate: Model<CertificateDoc> =
  mongoose.models.Certificate ??
  mongoose.model<CertificateDoc>("Certificate", schema, "certificates");
