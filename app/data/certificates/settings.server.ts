/** Certificates — tenant certificate settings, the seal, verification URLs and shared helpers. Concurrency and numbering: ../certificates.server.ts. */
import { randomBytes } from "node:crypto";
import { type Types } from "mongoose";
import { type CertificateDoc } from "../../../models/certificate";
import { Tenant, type TenantDoc } from "../../../models/tenant";
import { getEnv } from "~/env.server";
import {
  DEFAULT_NUMBER_PATTERN,
  DEFAULT_REMINDER_DAYS,
  DEFAULT_RENEWAL_MONTHS,
  DEFAULT_REVOCATION_BLOCK_MONTHS,
  DEFAULT_VALID_YEARS,
  patternProblems,
} from "~/lib/certificate";
import { toObjectId, type TenantScope } from "../ids.server";

export type CertificateRecord = CertificateDoc;
export type CertificateActor = { id: Types.ObjectId; email: string };

/** Application states (the `state` column written by Step 4) that carry a certificate. */
export const CERTIFIED_STATES = ["certified", "certifiedLowerLevel"] as const;

export const MAX_NUMBER_ATTEMPTS = 200;

export function newVerifyCode(): string {
  return randomBytes(16).toString("base64url");
}

export function oid(id: string | Types.ObjectId): Types.ObjectId | null {
  return typeof id === "string" ? toObjectId(id) : id;
}

// ---------------------------------------------------------------------------------------------
// Tenant settings with their defaults

type CertificateSettings = {
  pattern: string;
  validYears: number;
  reminderDays: number[];
  revocationBlockMonths: number;
  renewalMonths: number;
};

export function certificateSettings(
  settings: Partial<TenantDoc["settings"]> | undefined,
): CertificateSettings {
  const pattern = settings?.certificateNumberPattern ?? "";
  const reminders = (settings?.certificateReminderDays ?? [...DEFAULT_REMINDER_DAYS]).filter(
    (d) => Number.isInteger(d) && d > 0 && d <= 3650,
  );
  return {
    // A broken pattern must not stop a certification; the default keeps numbers unique and readable.
    pattern: pattern && patternProblems(pattern).length === 0 ? pattern : DEFAULT_NUMBER_PATTERN,
    validYears:
      settings?.certificateValidYears && settings.certificateValidYears >= 1
        ? settings.certificateValidYears
        : DEFAULT_VALID_YEARS,
    reminderDays: [...new Set(reminders)].sort((a, b) => b - a),
    revocationBlockMonths:
      settings?.reapplyAfterRevocationMonths ??
      settings?.revocationBlockMonths ??
      DEFAULT_REVOCATION_BLOCK_MONTHS,
    // One setting: the Step 12 name, falling back to the key tenants already stored.
    renewalMonths:
      settings?.renewalWindowMonths ?? settings?.certificateRenewalMonths ?? DEFAULT_RENEWAL_MONTHS,
  };
}

type TenantForCertificates = Pick<
  TenantDoc,
  "_id" | "slug" | "name" | "authority" | "regionCode" | "districts" | "settings"
>;

export async function loadTenant(tenantId: Types.ObjectId): Promise<TenantForCertificates | null> {
  return Tenant.findOne({ _id: tenantId })
    .select({ slug: 1, name: 1, authority: 1, regionCode: 1, districts: 1, settings: 1 })
    .lean<TenantForCertificates>();
}

/** The tenant's seal image (PNG) for certificates, or null. Kept out of ordinary tenant reads. */
export async function loadCertificateSeal({ tenantId }: TenantScope): Promise<Buffer | null> {
  const doc = await Tenant.findOne({ _id: tenantId })
    .select("+settings.certificateSealPng")
    .lean<{ settings?: { certificateSealPng?: unknown } }>();
  const seal: unknown = doc?.settings?.certificateSealPng;
  if (Buffer.isBuffer(seal) && seal.length > 0) return seal;
  // The driver may hand back a BSON Binary.
  if (
    seal &&
    typeof seal === "object" &&
    "buffer" in seal &&
    seal.buffer instanceof Uint8Array &&
    seal.buffer.length > 0
  ) {
    return Buffer.from(seal.buffer);
  }
  return null;
}

export function verificationUrl(code: string): string {
  return `${getEnv().APP_URL.replace(/\/+$/, "")}/verify/${code}`;
}
