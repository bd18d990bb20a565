/** The app's scheduled jobs. Later steps register theirs here. */
import { purgeOldClaims } from "~/data/cas.server";
import { issuePendingCertificates, runCertificateLifecycle } from "~/data/certificates.server";
import { purgeOrphanEvidence } from "~/data/evidence.server";
import { runGradingDeadlines } from "~/data/grading.server";
import { purgeExpiredRateLimits } from "~/data/rate-limit.server";
import { purgeExpiredSessions } from "~/data/sessions.server";
import { registerJob } from "./scheduler.server";

export function registerAllJobs(): void {
  registerJob({
    name: "purge-expired-sessions",
    intervalMs: 60 * 60 * 1000,
    run: async (now) => `deleted ${await purgeExpiredSessions(now)} sessions`,
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
}
