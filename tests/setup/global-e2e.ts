/** Builds the app and starts it (production mode, seeded demo tenant, private FerretDB) for the e2e run. */
import type { TestProject } from "vitest/node";
import { buildApp, startAppProcess } from "../../scripts/lib/app-process";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    /** The e2e app's database, for tests that run scripts (e.g. scripts/run-jobs.ts) against it. */
    databaseUri: string;
    /** The e2e app's captured mail directory (.eml files: the recipients' mailboxes). */
    mailDir: string;
  }
}

export default async function setup(project: TestProject) {
  buildApp();
  const app = await startAppProcess({ env: process.env.TEST_MONGODB_URI ? { MONGODB_URI: process.env.TEST_MONGODB_URI } : {} });
  project.provide("baseUrl", app.url);
  project.provide("databaseUri", app.databaseUri);
  project.provide("mailDir", app.mailDir);
  return () => app.stop();
}
