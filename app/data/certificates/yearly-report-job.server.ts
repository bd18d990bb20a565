/**
 * The yearly-report job (issue 16, item 1): opens the reports certified enterprises owe and sends
 * the reminders 30 and 7 days before the due date and on the day it is overdue. Safe with several
 * runners at once (decision 001): a report's insert is its own claim (unique tenantId +
 * certificateId + year), a reminder is recorded by a compare-and-set on the report's version before
 * its email is queued, and each email has an idempotency key per report, threshold and recipient.
 * An overdue report opens a revocation review on the ground "system not kept running".
 */
import { Certificate } from "../../../models/certificate";
import { Tenant, type TenantDoc } from "../../../models/tenant";
import { YearlyReport, type YearlyReportDoc } from "../../../models/yearly-report";
import { connectDb } from "~/db.server";
import { addDays } from "~/lib/certificate";
import {
  REPORT_OPENS_DAYS_BEFORE_DUE,
  reminderToSend,
  reportSchedule,
  type YearlyReportReminder,
} from "~/lib/yearly-report";
import { casUpdate } from "../cas.server";
import { isDuplicateKeyError } from "../mongo-errors.server";
import { enqueueEmail } from "../outbox.server";
import { enterpriseAdmins } from "./notify.server";
import { type CertificateRecord } from "./settings.server";
import { yearlyReportDueDays } from "./yearly-reports.server";

export type YearlyReportRun = { opened: number; reminders: number; overdue: number };

type TenantForReports = Pick<TenantDoc, "_id" | "slug" | "settings">;

export async function runYearlyReports({ now = new Date() }: { now?: Date } = {}): Promise<YearlyReportRun> {
  await connectDb();
  const run: YearlyReportRun = { opened: 0, reminders: 0, overdue: 0 };
  const tenants = await Tenant.find({})
    .select({ slug: 1, settings: 1 })
    .lean<TenantForReports[]>();
  for (const tenant of tenants) {
    run.opened += await openReports(tenant, now);
    const r = await sendReminders(tenant, now);
    run.reminders += r.reminders;
    run.overdue += r.overdue;
  }
  return run;
}

/** Creates the reports whose due date is at most REPORT_OPENS_DAYS_BEFORE_DUE days away. */
async function openReports(tenant: TenantForReports, now: Date): Promise<number> {
  const certs = await Certificate.find({ tenantId: tenant._id, status: "active", validUntil: { $gte: now } })
    .limit(5000)
    .lean<CertificateRecord[]>();
  const dueDays = yearlyReportDueDays(tenant.settings);
  let opened = 0;
  for (const cert of certs) {
    for (const slot of reportSchedule(cert, dueDays)) {
      if (addDays(slot.dueAt, -REPORT_OPENS_DAYS_BEFORE_DUE).getTime() > now.getTime()) break;
      if (await openOne(cert, slot)) opened += 1;
    }
  }
  return opened;
}

async function openOne(
  cert: CertificateRecord,
  slot: ReturnType<typeof reportSchedule>[number],
): Promise<boolean> {
  try {
    await YearlyReport.create({
      tenantId: cert.tenantId,
      enterpriseId: cert.enterpriseId,
      certificateId: cert._id,
      applicationId: cert.applicationId,
      year: slot.year,
      periodStart: slot.periodStart,
      periodEnd: slot.periodEnd,
      dueAt: slot.dueAt,
      enterpriseName: cert.enterprise.name,
      certificateNumber: cert.number,
      level: cert.level,
      districtCode: cert.enterprise.districtCode,
    });
    return true;
  } catch (error) {
    // Already opened (an earlier run, or another runner just now).
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}

async function sendReminders(
  tenant: TenantForReports,
  now: Date,
): Promise<{ reminders: number; overdue: number }> {
  const open = await YearlyReport.find({
    tenantId: tenant._id,
    submittedAt: null,
    dueAt: { $lte: addDays(now, 30) },
  })
    .limit(5000)
    .lean<YearlyReportDoc[]>();
  let reminders = 0;
  let overdue = 0;
  for (const report of open) {
    const threshold = reminderToSend(report.dueAt, now, report.remindersSent);
    if (threshold === null) continue;
    const cert = await Certificate.findOne({ tenantId: tenant._id, _id: report.certificateId })
      .select({ status: 1 })
      .lean<{ status: string }>();
    // A revoked or expired certificate owes nothing more.
    if (cert?.status !== "active") continue;
    if (!(await recordReminder(report, threshold))) continue;
    reminders += 1;
    if (threshold === 0) overdue += 1;
    await emailReminder(tenant, report, threshold, now);
  }
  return { reminders, overdue };
}

/** The claim: one runner records the threshold (and, when overdue, opens the review). */
async function recordReminder(report: YearlyReportDoc, threshold: YearlyReportReminder): Promise<boolean> {
  const set: Record<string, unknown> = {};
  if (threshold === 0) {
    set.review = "open";
    set.grounds = [...new Set([...report.grounds, "systemNotRunning"])];
  }
  return casUpdate(
    YearlyReport,
    { _id: report._id, tenantId: report.tenantId, expectedVersion: report.version, extra: { submittedAt: null } },
    { ...(threshold === 0 ? { $set: set } : {}), $push: { remindersSent: threshold } },
  );
}

async function emailReminder(
  tenant: TenantForReports,
  report: YearlyReportDoc,
  threshold: YearlyReportReminder,
  now: Date,
): Promise<void> {
  const admins = await enterpriseAdmins({ tenantId: report.tenantId, enterpriseId: report.enterpriseId });
  for (const admin of admins) {
    await enqueueEmail({
      tenantId: report.tenantId,
      idempotencyKey: `yearly-report:${String(report._id)}:${threshold}:${String(admin._id)}`,
      template: threshold === 0 ? "yearly-report-overdue" : "yearly-report-reminder",
      to: admin.email,
      locale: admin.locale,
      data: {
        reportId: String(report._id),
        enterpriseName: report.enterpriseName,
        number: report.certificateNumber,
        year: report.year,
        dueAt: report.dueAt.toISOString(),
        daysBefore: threshold,
        path: `/t/${tenant.slug}/yearly-reports/${String(report._id)}`,
      },
      now,
    });
  }
}
