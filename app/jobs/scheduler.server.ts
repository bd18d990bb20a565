/**
 * Scheduled jobs for several stateless app instances: each job's next run is a row in
 * `job_schedules`; an instance runs a job only after winning the compare-and-set that moves
 * `nextRunAt` forward, so two instances never run the same slot. Jobs themselves are written to
 * be idempotent (a crash mid-run just means the next slot does the rest).
 */
import { randomUUID } from "node:crypto";
import { JobSchedule } from "../../models/job-schedule";
import { claimOnce } from "~/data/cas.server";
import { jobsNow } from "~/clock.server";
import { logger } from "~/logger.server";

export type Job = {
  name: string;
  intervalMs: number;
  run: (now: Date) => Promise<string>;
};

const registry = new Map<string, Job>();
export const INSTANCE_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

export function registerJob(job: Job): void {
  registry.set(job.name, job);
}

export function registeredJobs(): Job[] {
  return [...registry.values()];
}

/**
 * Claims the job's slot (time divided into `intervalMs` windows). Returns true for exactly one
 * caller per slot, across instances: the claim is a unique-key insert (see app/data/cas.server.ts).
 */
export async function claimJob(name: string, intervalMs: number, now: Date, owner = INSTANCE_ID): Promise<boolean> {
  const slot = Math.floor(now.getTime() / intervalMs);
  return claimOnce(`job:${name}:${slot}`, now, owner);
}

export async function runDueJobs(now = new Date(), jobs: Job[] = registeredJobs()): Promise<Array<{ name: string; result: string }>> {
  const ran: Array<{ name: string; result: string }> = [];
  for (const job of jobs) {
    if (!(await claimJob(job.name, job.intervalMs, now))) continue;
    try {
      const result = await job.run(now);
      await JobSchedule.updateOne(
        { _id: job.name },
        { $set: { lastRunAt: now, lastResult: result, lastError: "", lockedBy: INSTANCE_ID }, $inc: { runs: 1 } },
        { upsert: true },
      );
      ran.push({ name: job.name, result });
    } catch (error) {
      logger.error({ err: error, job: job.name }, "scheduled job failed");
      await JobSchedule.updateOne(
        { _id: job.name },
        { $set: { lastRunAt: now, lastError: String(error), lockedBy: INSTANCE_ID }, $inc: { runs: 1 } },
        { upsert: true },
      );
    }
  }
  return ran;
}

/** How often an instance polls: SCHEDULER_POLL_MS (250 ms – 1 h), default 15 s. */
export function schedulerPollMs(raw = process.env.SCHEDULER_POLL_MS): number {
  const value = Number(raw);
  return raw && /^\d+$/.test(raw) && value >= 250 && value <= 3_600_000 ? value : 15_000;
}

/** Polls for due jobs; returns a stop function. Every instance runs this loop. */
export function startScheduler(pollMs = schedulerPollMs()): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      await runDueJobs(jobsNow());
    } catch (error) {
      logger.error({ err: error }, "scheduler tick failed");
    }
    if (!stopped) timer = setTimeout(() => void tick(), pollMs);
  };
  timer = setTimeout(() => void tick(), 1000);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
