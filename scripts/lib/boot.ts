/**
 * Shared start-up for `npm start`, the e2e tests and the benchmark: database → env → indexes →
 * demo data → HTTP server. Returns a handle that stops everything in reverse order.
 */
import path from "node:path";
import mongoose from "mongoose";
import { ALL_MODELS, ensureIndexes } from "../../models/index";
import { importRubricFiles } from "../../app/data/rubrics.server";
import { registerAllJobs } from "../../app/jobs/index.server";
import { startScheduler } from "../../app/jobs/scheduler.server";
import { getEnv, resetEnvCache } from "../../app/env.server";
import { checkAppUrl } from "./app-url";
import { loadOrCreateSessionSecret } from "./app-secret";
import { ensureLookupIndexes, lookupFieldsOf } from "./postgres-lookups";
import { PROJECT_ROOT, startDatabase, withDatabaseName, type RunningDatabase } from "./database";
import { startHttpServer } from "./http-server";
import { DEMO_PASSWORD, DEMO_USERS, seedDemoData } from "./seed";
import { DEMO_BODY_ADMIN } from "./seed-review-body";
import { ensureCreditPublicationsCurrent } from "../../app/data/credit-publication.server";
import { ensurePublicNoticesCurrent } from "../../app/data/grading/public-notices.server";
import { ensureAuditLogCurrent } from "../../app/data/audit.server";
import { ensureCreditPostingsCurrent } from "../../app/data/credit/postings.server";
import { fillMemberAccess } from "../../app/data/member-access.server";
import { fillApplicationRows } from "../../app/data/grading/application-rows.server";
import { recordTenantSlugs } from "../../app/data/tenants.server";
import { fillApplicationDistricts } from "../../app/data/tenants/district-backfill.server";

export type BootOptions = {
  port: number;
  host: string;
  dataDir?: string;
  dbName?: string;
  forceEmbedded?: boolean;
  /** false for tests and benchmarks (embedded PostgreSQL without fsync); default true. */
  durable?: boolean;
  seed: boolean;
  log?: (line: string) => void;
};

export type Booted = { url: string; db: RunningDatabase; stop(): Promise<void> };

export async function boot(options: BootOptions): Promise<Booted> {
  const log = options.log ?? (() => {});
  const db = await startDatabase({
    dataDir: options.dataDir ?? path.join(PROJECT_ROOT, ".data/db"),
    forceEmbedded: options.forceEmbedded,
    durable: options.durable,
    log,
  });
  try {
    const uri = db.kind === "external" ? db.uri : withDatabaseName(db.uri, options.dbName ?? "safegrade");
    process.env.MONGODB_URI = uri;
    await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000 });
    await ensureIndexes();
    if (db.postgresUrl) {
      const { created } = ensureLookupIndexes({ postgresUrl: db.postgresUrl, database: options.dbName ?? "safegrade", fields: lookupFieldsOf(ALL_MODELS) });
      if (created > 0) log(`PostgreSQL lookup indexes created: ${created} (decision 030)`);
    }
    const rubrics = await importRubricFiles();
    if (rubrics.errors.length > 0) {
      throw new Error(`Rubric files were refused:\n  ${rubrics.errors.join("\n  ")}`);
    }
    if (rubrics.imported.length > 0) log(`Imported rubrics: ${rubrics.imported.join(", ")}`);
    if (rubrics.translated.length > 0) log(`Updated the English text of rubrics: ${rubrics.translated.join(", ")}`);
    if (!process.env.SESSION_SECRET) {
      process.env.SESSION_SECRET = await loadOrCreateSessionSecret();
      if (process.env.NODE_ENV === "production") log("SESSION_SECRET not set: using a generated secret stored in the database.");
    }
    // APP_URL unset: links use the port actually listened on (settled again below for port 0).
    const appUrlWasSet = Boolean(process.env.APP_URL?.trim());
    if (!appUrlWasSet && options.port > 0) process.env.APP_URL = checkAppUrl({ appUrl: undefined, host: options.host, port: options.port }).appUrl;
    // A bad environment (e.g. production without SMTP_URL) stops start-up here, not at the first email.
    getEnv();
    // The public credit registry's read model (credit_publications) is derived from the records;
    // a database from before it (or before its search grams) is filled / backfilled once here.
    // Safe to repeat; the credit-lifecycle job keeps it in step afterwards.
    await ensureCreditPublicationsCurrent();
    // The request path's `_id`-keyed documents (decision 010), filled for a database from before them.
    await recordTenantSlugs();
    const filled = await fillMemberAccess();
    if (filled > 0) log(`Filled ${filled} member access documents from the memberships.`);
    // The applications' list view (decision 027), filled for a database from before it.
    const rows = await fillApplicationRows();
    if (rows > 0) log(`Filled the list view of ${rows} applications.`);
    // Applications carry their enterprise's district since Step 12 (district-limited regulators).
    const districted = await fillApplicationDistricts();
    if (districted > 0) log(`Filled the district of ${districted} applications.`);
    if (options.seed) {
      const result = await seedDemoData();
      if (result.seeded) {
        log("Seeded demo data (tenant chengdu). Demo logins, password " + DEMO_PASSWORD + ":");
        for (const u of DEMO_USERS) log(`  ${u.role.padEnd(18)} ${u.email}`);
        log(`  ${"review_body_admin".padEnd(18)} ${DEMO_BODY_ADMIN.email}`);
      }
    }
    // The public notices' read model (decision 029), filled once for a database from before it
    // (after the demo seed, so its applications are in it); transitions keep it in step.
    await ensurePublicNoticesCurrent();
    // The audit log's month buckets and action lists (decision 034), filled once in the background
    // (minutes for 100,000s of events); until the mark is set the audit page uses the sorted read.
    void ensureAuditLogCurrent().then(
      (ran) => ran && log("Filled the audit log's month buckets."),
      (error: unknown) => log(`Filling the audit log's month buckets stopped (retried at the next start): ${String(error)}`),
    );
    // The registry's name index (decision 036), built once in the background; until it is, name
    // searches read the publications' own grams. The credit-postings job finishes what this cannot.
    void ensureCreditPostingsCurrent().then(
      (ran) => ran && log("Built the credit registry's name index."),
      (error: unknown) => log(`Building the credit registry's name index stopped (the credit-postings job retries): ${String(error)}`),
    );
    registerAllJobs();
    const stopScheduler = process.env.SCHEDULER === "off" ? () => {} : startScheduler();
    const http = await startHttpServer({ port: options.port, host: options.host, trustProxy: process.env.TRUST_PROXY === "true" });
    const listening = new URL(http.url);
    const appUrl = checkAppUrl({ appUrl: appUrlWasSet ? process.env.APP_URL : undefined, host: options.host, port: Number(listening.port) });
    if (!appUrlWasSet) {
      process.env.APP_URL = appUrl.appUrl;
      resetEnvCache();
    }
    if (appUrl.warning) log(`Warning: ${appUrl.warning}`);
    return {
      url: http.url,
      db,
      stop: async () => {
        stopScheduler();
        await http.close();
        await mongoose.disconnect();
        await db.stop();
      },
    };
  } catch (error) {
    await mongoose.disconnect().catch(() => {});
    await db.stop();
    throw error;
  }
}
