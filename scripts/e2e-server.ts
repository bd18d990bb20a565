/**
 * Starts the built app on a private embedded database for e2e tests and benchmarks.
 * Prints `READY <url>` once it answers; stops everything on SIGTERM.
 */
import { boot } from "./lib/boot";

process.env.NODE_ENV ??= "production";
const dataDir = process.env.E2E_DATA_DIR;
if (!dataDir) throw new Error("E2E_DATA_DIR is required");
// Mail is captured as files in the private data directory (no SMTP server in e2e runs).
process.env.MAIL_CAPTURE ??= "true";
process.env.MAIL_CAPTURE_DIR ??= `${dataDir}/mail`;
const app = await boot({
  port: Number(process.env.PORT ?? 0),
  host: "127.0.0.1",
  dataDir,
  dbName: process.env.E2E_DB_NAME ?? "safegrade_e2e",
  forceEmbedded: !process.env.MONGODB_URI,
  // A throw-away database: no fsync (decision 009).
  durable: false,
  // The two-instance test brings its own data (SEED_DEMO=false).
  seed: process.env.SEED_DEMO !== "false",
});
// Tests that drive the app's command-line tools (scripts/run-jobs.ts) need the same database.
process.stdout.write(`DATABASE ${process.env.MONGODB_URI ?? ""}\n`);
process.stdout.write(`READY ${app.url}\n`);
const stop = async () => {
  await app.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
