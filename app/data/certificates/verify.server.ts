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
import { isDuplicateKeyError } from "../mongo-errors.server";
import { hitRateLimit, type RateLimitState } from "../rate-limit.server";
import { type CertificateRecord } from "./settings.server";

// ---------------------------------------------------------------------------------------------
// Public verification

export type PublicCertificate = {
  state: VerificationState;
  status: CertificateStatus;
  code: string;
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
  const doc = await Certificate.findOne({ verifyCode: code })
    .setOptions({ crossTenant: true })
    .lean<CertificateRecord>();
  if (!doc) return null;
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
