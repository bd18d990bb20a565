/** Certificates — linking a renewal's new certificate to the one it supersedes (issue 16 item 4). */
import type { Types } from "mongoose";
import { Certificate, type CertificateHistoryEntry } from "../../../models/certificate";
import { logger } from "~/logger.server";
import { casUpdate } from "../cas.server";
import type { TenantScope } from "../ids.server";
import { getCertificate } from "./queries.server";
import type { CertificateRecord } from "./settings.server";

/**
 * Marks the old certificate as renewed by `renewal` (a history entry and `renewedByCertificateId`).
 * Idempotent, compare-and-set on the old certificate's version (decision 001). The old certificate
 * keeps its status and dates: it stays what it was until its own end of validity.
 */
export async function markRenewed({
  tenantId,
  oldCertificateId,
  renewal,
  now,
}: TenantScope & {
  oldCertificateId: Types.ObjectId;
  renewal: Pick<CertificateRecord, "_id" | "number" | "issuedAt" | "applicationId">;
  now: Date;
}): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const old = await getCertificate({ tenantId, id: oldCertificateId });
    if (!old) return false;
    if (old.renewedByCertificateId?.equals(renewal._id)) return true;
    const entry: CertificateHistoryEntry = {
      at: now,
      actorId: null,
      action: "renewed",
      reason: "",
      details: {
        certificateId: String(renewal._id),
        number: renewal.number,
        applicationId: String(renewal.applicationId),
        validFrom: renewal.issuedAt.toISOString(),
      },
    };
    const won = await casUpdate(
      Certificate,
      { _id: old._id, tenantId, expectedVersion: old.version },
      { $set: { renewedByCertificateId: renewal._id }, $push: { history: entry } },
    );
    if (won) return true;
  }
  logger.warn({ certificateId: String(oldCertificateId) }, "renewed certificate not linked after retries");
  return false;
}
