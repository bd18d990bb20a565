/** Builds the app and starts it as for e2e, with the scheduler off so that only the probe's requests write. */
import type { TestProject } from "vitest/node";
import { buildApp, startAppProcess } from "../../scripts/lib/app-process";

export default async function setup(project: TestProject) {
  buildApp();
  const app = await startAppProcess({ env: { SCHEDULER: "off", ...(process.env.TEST_MONGODB_URI ? { MONGODB_URI: process.env.TEST_MONGODB_URI } : {}) } });
  project.provide("baseUrl", app.url);
  project.provide("databaseUri", app.databaseUri);
  return () => app.stop();
}
