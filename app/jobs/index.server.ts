/** The app's scheduled jobs. Later steps register theirs here. */
import { purgeOldClaims } from "~/data/cas.server";
import { purgeOrphanEvidence } from "~/data/evidence.server";
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
}
