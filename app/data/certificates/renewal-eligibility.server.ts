/**
 * The facts behind a renewal's fast track (复评/延期, issue 16 item 4), built server-side for the
 * machine's CONFIRM_FAST_TRACK guard and for the application page. The rules that decide on them
 * are pure: app/workflows/grading/renewal-rules.ts.
 */
import type { Types } from "mongoose";
import type { AssessmentDoc } from "../../../models/assessment";
import type { TenantSettings } from "../../../models/tenant";
import { YearlyReport } from "../../../models/yearly-report";
import { effectiveStatus } from "~/lib/certificate";
import { reportSchedule, yearlyReportDueDays } from "~/lib/yearly-report";
import type { RenewalFacts } from "~/workflows/grading.machine";
import type { SubmissionFacts } from "../grading/facts.server";
import type { TenantScope } from "../ids.server";
import { getCertificate } from "./queries.server";
import { renewalOpensAt } from "./renewal.server";
import { certificateSettings } from "./settings.server";

type RenewalDoc = Pick<AssessmentDoc, "enterpriseId" | "renewalOf">;

/** The certificate a renewal application renews (same enterprise), or null for any other application. */
export async function renewedCertificate({
  tenantId,
  doc,
}: TenantScope & { doc: RenewalDoc }) {
  if (!doc.renewalOf) return null;
  const cert = await getCertificate({ tenantId, id: doc.renewalOf });
  return cert && cert.enterpriseId.equals(doc.enterpriseId) ? cert : null;
}

/** What SUBMIT carries about a renewal: the certificate and the level it keeps. */
export async function renewalOfApplication({
  tenantId,
  doc,
}: TenantScope & { doc: RenewalDoc }): Promise<{ certificateId: string; level: string } | null> {
  const cert = await renewedCertificate({ tenantId, doc });
  return cert ? { certificateId: String(cert._id), level: cert.level } : null;
}

/** Years of validity whose report is due by now, and which of them were submitted or wait for review. */
async function yearlyReportFacts({
  tenantId,
  cert,
  settings,
  now,
}: TenantScope & {
  cert: { _id: Types.ObjectId; issuedAt: Date; validUntil: Date };
  settings: TenantSettings;
  now: Date;
}): Promise<{ missing: number[]; openReviews: number[] }> {
  // A handful per certificate; served by the unique (tenantId, certificateId, year) index.
  const reports = await YearlyReport.find({ tenantId, certificateId: cert._id })
    .select({ year: 1, submittedAt: 1, review: 1 })
    .limit(100)
    .lean<Array<{ year: number; submittedAt: Date | null; review: string }>>();
  const byYear = new Map(reports.map((r) => [r.year, r]));
  // A report the job never created is missing all the same once its due date has passed.
  const missing = reportSchedule(cert, yearlyReportDueDays(settings))
    .filter((slot) => slot.dueAt.getTime() <= now.getTime() && !byYear.get(slot.year)?.submittedAt)
    .map((slot) => slot.year);
  const openReviews = reports.filter((r) => r.review === "open").map((r) => r.year).sort((a, b) => a - b);
  return { missing, openReviews };
}

/**
 * The eligibility facts of a renewal application now; null when it renews nothing. `facts` is the
 * application's self-assessment scored now (`submissionFacts`, passed in to keep modules acyclic).
 */
export async function renewalFacts({
  tenantId,
  doc,
  settings,
  facts,
  now,
}: TenantScope & {
  doc: RenewalDoc;
  settings: TenantSettings;
  facts: Pick<SubmissionFacts, "creditListed" | "score" | "minScores" | "levels">;
  now: Date;
}): Promise<RenewalFacts | null> {
  const cert = await renewedCertificate({ tenantId, doc });
  if (!cert) return null;
  const reports = await yearlyReportFacts({ tenantId, cert, settings, now });
  const months = certificateSettings(settings).renewalMonths;
  return {
    certificateId: String(cert._id),
    certificateLevel: cert.level,
    certificateStatus: effectiveStatus(cert, now),
    windowOpensAt: renewalOpensAt(cert, months).toISOString(),
    validUntil: cert.validUntil.toISOString(),
    missingYearlyReports: reports.missing,
    openRevocationReviews: reports.openReviews,
    creditListed: facts.creditListed,
    selfScore: facts.score.selfScore,
    levelMinScore: facts.minScores[cert.level] ?? 0,
    vetoed: facts.score.vetoed,
    eligibleLevel: facts.score.eligibleLevel,
    levels: facts.levels,
  };
}
