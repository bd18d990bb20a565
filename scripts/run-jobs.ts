/**
 * Runs the scheduled jobs once, now or at a given moment, against a database — what every app
 * instance's scheduler does on its own, as a command: for operations (run a job by hand) and for
 * the e2e tests, which move the clock to the end of a public notice.
 *
 *   npx tsx scripts/run-jobs.ts [--now <ISO instant>] [--job <name>]... [--uri <mongodb uri>]
 *
 * Jobs claim their time slot like the in-app scheduler (a slot already run is skipped), so running
 * this beside live instances is safe. Prints the results as JSON. Exit codes: 0 ran (or nothing
 * was due), 2 bad arguments, 1 a job failed.
 */
import { parseArgs } from "node:util";
import mongoose from "mongoose";
import { loadOrCreateSessionSecret } from "./lib/app-secret";

const USAGE =
  "usage: npx tsx scripts/run-jobs.ts [--now <ISO instant>] [--job <name>]... [--uri <mongodb uri>]";

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { now?: string; job?: string[]; uri?: string };
  try {
    ({ values } = parseArgs({
      options: {
        now: { type: "string" },
        job: { type: "string", multiple: true },
        uri: { type: "string" },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) fail(`--now is not a date-time: ${values.now ?? ""}`);
  if (values.uri) process.env.MONGODB_URI = values.uri;
  if (!process.env.MONGODB_URI) fail("set MONGODB_URI or pass --uri");
  process.env.NODE_ENV ??= "development";

  // Imported after the environment is settled: the app reads it once.
  const { registerAllJobs } = await import("../app/jobs/index.server");
  const { registeredJobs, runDueJobs } = await import("../app/jobs/scheduler.server");
  const { JobSchedule } = await import("../models/job-schedule");
  registerAllJobs();
  const all = registeredJobs();
  const wanted = values.job ?? all.map((j) => j.name);
  const unknown = wanted.filter((name) => !all.some((j) => j.name === name));
  if (unknown.length > 0)
    fail(`unknown job(s): ${unknown.join(", ")} (known: ${all.map((j) => j.name).join(", ")})`);

  await mongoose.connect(process.env.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  try {
    // The app's environment check wants a secret in production; jobs sign nothing, but use the
    // installation's own (as `npm start` does) rather than inventing one.
    if (!process.env.SESSION_SECRET) process.env.SESSION_SECRET = await loadOrCreateSessionSecret();
    const jobs = all.filter((j) => wanted.includes(j.name));
    const ran = await runDueJobs(now, jobs);
    // A job that threw is not in `ran`; the scheduler recorded its error on the job's row.
    const rows = await JobSchedule.find({
      _id: { $in: jobs.map((j) => j.name) },
      lastRunAt: now,
    }).lean();
    const failed = rows
      .filter((r) => r.lastError)
      .map((r) => ({ name: r._id, error: r.lastError }));
    const skipped = jobs.map((j) => j.name).filter((name) => !rows.some((r) => r._id === name));
    process.stdout.write(
      `${JSON.stringify({ now: now.toISOString(), ran, failed, skipped }, null, 2)}\n`,
    );
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    // The outbox worker's pooled SMTP connections would keep the process alive.
    const { closeDefaultMailTransport } = await import("../app/data/mail-transport.server");
    closeDefaultMailTransport();
    await mongoose.disconnect();
  }
}

await main();
