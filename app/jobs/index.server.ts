/** The app's scheduled jobs. Later steps register theirs here. */
import { purgeOldClaims } from "~/data/cas.server";
import { issuePendingCertificates, runCertificateLifecycle } from "~/data/certificates.server";
import { runYearlyReports } from "~/data/certificates/yearly-report-job.server";
import { runCreditLifecycle } from "~/data/credit-records.server";
import { runDashboardSnapshots, SNAPSHOT_INTERVAL_MS } from "~/data/dashboard.server";
import { purgeOrphanEvidence } from "~/data/evidence.server";
import { runOutboxWorker } from "~/data/outbox-worker.server";
import { purgeOldOutboxMessages } from "~/data/outbox.server";
import { purgeExpiredPasswordResets } from "~/data/password-reset.server";
import { runGradingDeadlines } from "~/data/grading.server";
import { purgeExpiredRateLimits } from "~/data/rate-limit.server";
import { purgeExpiredSessions } from "~/data/sessions.server";
import { creditPostingsJob } from "~/data/credit/postings.server";
import { registerJob } from "./scheduler.server";

export function registerAllJobs(): void {
  registerJob({
    name: "purge-expired-sessions",
    intervalMs: 60 * 60 * 1000,
    run: async (now) => `deleted ${await purgeExpiredSessions(now)} sessions`,
  });
  registerJob({
    // The registry's name index (decision 036): its first build, then the changes a busy writer left.
    name: "credit-postings",
    intervalMs: 60 * 1000,
    run: () => creditPostingsJob(),
  });
  registerJob({
    name: "purge-rate-limits",
    intervalMs: 15 * 60 * 1000,
    run: async (now) => `deleted ${await purgeExpiredRateLimits(now)} counters`,
  });
  registerJob({
    name: "purge-old-claims",
    intervalMs: 6 * 60 * 60 * 1000,
    run: async (now) => `deleted ${await purgeOldClaims(now)} claims`,
  });
  registerJob({
    name: "purge-orphan-evidence",
    intervalMs: 6 * 60 * 60 * 1000,
    // A day's margin: an upload stores its file a moment before the assessment refers to it.
    run: async (now) => {
      const { files, chunks } = await purgeOrphanEvidence({ olderThan: new Date(now.getTime() - 24 * 60 * 60 * 1000) });
      return `deleted ${files} evidence files, ${chunks} stray chunks`;
    },
  });
  registerJob({
    name: "grading-deadlines",
    intervalMs: 5 * 60 * 1000,
    // End of public notice (NOTICE_ENDED), deadline reminders, redelivery of transition effects.
    run: async (now) => {
      const r = await runGradingDeadlines({ now });
      return `ended ${r.noticesEnded} notices, queued ${r.reminders} reminders, redelivered ${r.redelivered} effect batches`;
    },
  });
  registerJob({
    name: "issue-pending-certificates",
    intervalMs: 5 * 60 * 1000,
    // Crash safety for "CERTIFY, then issue": certified applications still without a certificate.
    run: async (now) => {
      const r = await issuePendingCertificates({ now });
      return `issued ${r.issued} certificates, ${r.failed} failed`;
    },
  });
  registerJob({
    name: "certificate-lifecycle",
    intervalMs: 60 * 60 * 1000,
    // Expiry at the end of validity and reminders before it (tenant setting, default 90 and 30 days).
    run: async (now) => {
      const r = await runCertificateLifecycle({ now });
      return `expired ${r.expired} certificates, sent ${r.reminders} reminders`;
    },
  });
  registerJob({
    name: "yearly-reports",
    intervalMs: 60 * 60 * 1000,
    // Opens the yearly self-assessment reports certified enterprises owe; reminders 30/7 days before and when overdue.
    run: async (now) => {
      const r = await runYearlyReports({ now });
      return `opened ${r.opened} yearly reports, sent ${r.reminders} reminders (${r.overdue} overdue)`;
    },
  });
  registerJob({
    name: "credit-lifecycle",
    intervalMs: 15 * 60 * 1000,
    // Credit lists: end of the defence period, expiry at the end of the listing, effect redelivery.
    run: async (now) => {
      const r = await runCreditLifecycle({ now });
      return `ended ${r.windowsPassed} defence periods, expired ${r.expired} records, redelivered ${r.redelivered} effect batches, synced ${r.publications} publications`;
    },
  });
  registerJob({
    name: "outbox-worker",
    // Claims are per message (compare-and-set), so instances running it at once is safe too.
    intervalMs: 15 * 1000,
    run: async (now) => {
      const r = await runOutboxWorker({ now });
      return `claimed ${r.claimed} emails: sent ${r.sent}, retry ${r.retried}, failed ${r.failed}, recovered ${r.lost}`;
    },
  });
  registerJob({
    name: "purge-outbox",
    intervalMs: 24 * 60 * 60 * 1000,
    run: async (now) =>
      `deleted ${await purgeOldOutboxMessages(now)} old emails, ${await purgeExpiredPasswordResets(now)} reset links`,
  });
  registerJob({
    name: "dashboard-snapshots",
    intervalMs: SNAPSHOT_INTERVAL_MS,
    // Recounts every tenant's dashboard figures (docs: app/data/dashboard.server.ts, "Freshness").
    run: async (now) => `recounted ${(await runDashboardSnapshots({ now })).tenants} dashboards`,
  });
}
