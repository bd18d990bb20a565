/** Certificates — public verification by code, with its rate limit. Concurrency and numbering: ../certificates.server.ts. */
import { Certificate } from "../../../models/certificate";
import { connectDb } from "~/db.server";
import {
  VERIFY_CODE_PATTERN,
  effectiveStatus,
  verificationState,
  type CertificateStatus,
  type VerificationState,
} from "~/lib/certificate";
import type { IndustryKey } from "~/lib/domain";
import type { RevocationGroundKey } from "~/lib/revocation-grounds";
import { normalizeCreditCode } from "~/lib/credit-code";
import { isDuplicateKeyError } from "../mongo-errors.server";
import { cachedPublicRead } from "../public-cache.server";
import { hitRateLimit, type RateLimitState } from "../rate-limit.server";
import { type CertificateRecord } from "./settings.server";

// ---------------------------------------------------------------------------------------------
// Public verification

export type PublicCertificate = {
  state: VerificationState;
  status: CertificateStatus;
  /** The verification code when the reader brought it (QR, link, typed code); null for a lookup by number. */
  code: string | null;
  number: string;
  level: string;
  levelName: { zh: string; en: string };
  enterprise: { name: string; creditCode: string };
  industry: IndustryKey;
  issuer: { zh: string; en: string };
  issuedAt: string;
  validUntil: string;
  suspendedAt: string | null;
  revokedAt: string | null;
  /** The regulator's reason (revoked: the facts found), shown publicly while suspended or revoked. */
  reason: string | null;
  /** Revoked: the stated grounds (app/lib/revocation-grounds.ts), published with the date. */
  grounds: RevocationGroundKey[];
};

/** Cross-tenant by design: the code alone identifies a certificate. Unknown or malformed → null. */
export async function verifyCertificate({
  code,
  now = new Date(),
}: {
  code: string;
  now?: Date;
}): Promise<PublicCertificate | null> {
  if (!VERIFY_CODE_PATTERN.test(code)) return null;
  await connectDb();
  // Cached per process while no certificate was written (decision 029); the status is still
  // computed from the stored dates at `now`, so expiry is exact.
  const doc = await cachedPublicRead("certificates", `verify:${code}`, () =>
    Certificate.findOne({ verifyCode: code }).setOptions({ crossTenant: true }).lean<CertificateRecord>().exec(),
  );
  if (!doc) return null;
  return publicView(doc, now, code);
}

function publicView(doc: CertificateRecord, now: Date, code: string | null): PublicCertificate {
  const status = effectiveStatus(doc, now);
  return {
    state: verificationState(status),
    status,
    code,
    number: doc.number,
    level: doc.level,
    levelName: doc.levelName,
    enterprise: { name: doc.enterprise.name, creditCode: doc.enterprise.creditCode },
    industry: doc.enterprise.industry,
    issuer: doc.issuer,
    issuedAt: doc.issuedAt.toISOString(),
    validUntil: doc.validUntil.toISOString(),
    suspendedAt: status === "suspended" && doc.suspendedAt ? doc.suspendedAt.toISOString() : null,
    revokedAt: status === "revoked" && doc.revokedAt ? doc.revokedAt.toISOString() : null,
    reason:
      status === "revoked"
        ? doc.revokedReason
        : status === "suspended"
          ? doc.suspendedReason
          : null,
    grounds: status === "revoked" ? (doc.revokedGrounds ?? []) : [],
  };
}

/** Certificate numbers are at most 60 characters (the pattern's limit) and carry no spaces. */
export const NUMBER_LOOKUP_MAX = 60;

export function normalizeCertificateNumber(input: string): string {
  return input.replace(/[\s\u3000]/g, "");
}

/**
 * Lookup by the printed number PLUS the holder's unified social credit code (both required, so
 * numbers cannot be enumerated). Cross-tenant like the code lookup: numbers may repeat across
 * tenants, the credit code tells them apart. The verification code is not part of the answer, so
 * the PDF stays with whoever holds the QR code.
 */
export async function findCertificateByNumber({
  number,
  creditCode,
  now = new Date(),
}: {
  number: string;
  creditCode: string;
  now?: Date;
}): Promise<PublicCertificate | null> {
  const wanted = normalizeCertificateNumber(number);
  const code = normalizeCreditCode(creditCode);
  if (!wanted || wanted.length > NUMBER_LOOKUP_MAX || code.length !== 18) return null;
  await connectDb();
  const docs = await Certificate.find({ number: wanted })
    .setOptions({ crossTenant: true })
    .limit(20)
    .lean<CertificateRecord[]>();
  const doc = docs.find((d) => d.enterprise.creditCode === code);
  return doc ? publicView(doc, now, null) : null;
}

/** The certificate behind a public code (for the public PDF). */
export async function findCertificateByCode({
  code,
}: {
  code: string;
}): Promise<CertificateRecord | null> {
  if (!VERIFY_CODE_PATTERN.test(code)) return null;
  await connectDb();
  return Certificate.findOne({ verifyCode: code })
    .setOptions({ crossTenant: true })
    .lean<CertificateRecord>();
}

/** Public endpoints: per client IP, verification page + JSON + PDF together. */
export const VERIFY_RATE_LIMIT = { limit: 60, windowMs: 60_000 } as const;

export async function hitVerifyRateLimit(ip: string, now = Date.now()): Promise<RateLimitState> {
  const key = `verify:ip:${ip}`;
  try {
    return await hitRateLimit(key, VERIFY_RATE_LIMIT.limit, VERIFY_RATE_LIMIT.windowMs, now);
  } catch (error) {
    // Two first hits in the same window may race on the upsert (FerretDB reports the loser as a
    // duplicate key); the window's counter exists now, so counting again succeeds.
    if (!isDuplicateKeyError(error)) throw error;
    return hitRateLimit(key, VERIFY_RATE_LIMIT.limit, VERIFY_RATE_LIMIT.windowMs, now);
  }
}
