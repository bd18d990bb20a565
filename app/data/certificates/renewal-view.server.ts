/**
 * What the application page shows about a renewal (复评/延期, issue 16 item 4): the certificate it
 * renews, the authority's decision and its reason, and — for whoever decides, while it waits for
 * the check — each eligibility criterion with its facts and links.
 */
import type { Types } from "mongoose";
import type { AssessmentDoc } from "../../../models/assessment";
import type { TenantSettings } from "../../../models/tenant";
import { can } from "~/lib/permissions";
import {
  renewalCriteria,
  type RenewalContext,
  type RenewalCriterionKey,
} from "~/workflows/grading.machine";
import { canViewApplication, type GradingMember } from "../grading/access.server";
import { submissionFacts } from "../grading/facts.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { renewalFacts, renewedCertificate } from "./renewal-eligibility.server";
import { certificateSettings } from "./settings.server";
import { readAssessmentView } from "~/data/assessments/view-read.server";

export type RenewalCriterionView = {
  key: RenewalCriterionKey;
  met: boolean;
  /** Message parameters for the criterion's line (dates as ISO strings, formatted by the page). */
  params: Record<string, string | number>;
  /** The line naming what is wrong, when not met (e.g. the missing years). */
  detail: { key: string; params: Record<string, string | number> } | null;
  link: "certificate" | "yearlyReports" | "credit" | "selfAssessment" | null;
};

export type RenewalView = {
  certificate: { id: string; number: string; level: string; levelName: { zh: string; en: string }; validUntil: string };
  decision: RenewalContext["decision"] | "draft";
  /** The reason given with SEND_FULL_PATH (shown to the enterprise). */
  fullPathReason: string | null;
  /** Regulator (or organizer) while the check is pending: every criterion; else null. */
  criteria: RenewalCriterionView[] | null;
  eligible: boolean | null;
};

function decisionOf(doc: Pick<AssessmentDoc, "workflow">): RenewalContext["decision"] | "draft" {
  const context: unknown = doc.workflow?.context;
  if (context && typeof context === "object" && "renewal" in context) {
    const renewal: unknown = context.renewal;
    if (renewal && typeof renewal === "object" && "decision" in renewal) {
      const d = renewal.decision;
      if (d === "pending" || d === "fastTrack" || d === "fullPath") return d;
    }
  }
  return "draft";
}

export async function getRenewalView({
  tenantId,
  applicationId,
  member,
  settings,
  now = new Date(),
}: TenantScope & {
  applicationId: string | Types.ObjectId;
  member: GradingMember;
  settings: TenantSettings;
  now?: Date;
}): Promise<RenewalView | null> {
  const _id = typeof applicationId === "string" ? toObjectId(applicationId) : applicationId;
  if (!_id) return null;
  const doc = await readAssessmentView(tenantId, _id);
  if (!doc?.renewalOf || !canViewApplication(member, doc)) return null;
  const cert = await renewedCertificate({ tenantId, doc });
  if (!cert) return null;
  const fullPath = [...doc.history].reverse().find((h) => h.event === "SEND_FULL_PATH");
  const view: RenewalView = {
    certificate: {
      id: String(cert._id),
      number: cert.number,
      level: cert.level,
      levelName: cert.levelName,
      validUntil: cert.validUntil.toISOString(),
    },
    decision: decisionOf(doc),
    fullPathReason: fullPath?.reason ?? null,
    criteria: null,
    eligible: null,
  };
  if (doc.state !== "renewalCheck" || !can(member.permissions, "accept:application:any")) return view;

  const facts = await submissionFacts({ tenantId, doc, settings });
  const eligibility = await renewalFacts({ tenantId, doc, settings, facts, now });
  if (!eligibility) return view;
  const months = certificateSettings(settings).renewalMonths;
  const results = renewalCriteria(eligibility, now.toISOString());
  const years = (list: number[]) => list.join(", ");
  const lines: Record<RenewalCriterionKey, Omit<RenewalCriterionView, "key" | "met">> = {
    window: {
      params: { months, opensAt: eligibility.windowOpensAt, validUntil: eligibility.validUntil },
      detail: null,
      link: "certificate",
    },
    certificate: { params: { status: eligibility.certificateStatus }, detail: null, link: "certificate" },
    yearlyReports: {
      params: {},
      detail:
        eligibility.missingYearlyReports.length > 0
          ? { key: "renewal.criterion.yearlyReportsMissing", params: { years: years(eligibility.missingYearlyReports) } }
          : null,
      link: "yearlyReports",
    },
    revocation: {
      params: {},
      detail:
        eligibility.openRevocationReviews.length > 0
          ? { key: "renewal.criterion.revocationOpen", params: { years: years(eligibility.openRevocationReviews) } }
          : null,
      link: "yearlyReports",
    },
    creditRecord: {
      params: {},
      detail: eligibility.creditListed
        ? { key: "renewal.criterion.creditListed", params: { name: eligibility.creditListed.name } }
        : null,
      link: "credit",
    },
    score: {
      params: { score: eligibility.selfScore ?? "—", min: eligibility.levelMinScore },
      detail: null,
      link: "selfAssessment",
    },
  };
  view.criteria = results.map((r) => ({ key: r.key, met: r.met, ...lines[r.key] }));
  view.eligible = results.every((r) => r.met);
  return view;
}
