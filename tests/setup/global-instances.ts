/** Builds the app and starts one embedded FerretDB that the two-instance test's app processes share. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildApp } from "../../scripts/lib/app-process";
import { startDatabase } from "../../scripts/lib/database";

declare module "vitest" {
  export interface ProvidedContext {
    /** Server URI (no database name) of the database both app instances use. */
    instancesServerUri: string;
  }
}

export default async function setup(project: TestProject) {
  buildApp();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-instances-"));
  const external = process.env.TEST_MONGODB_URI;
  const saved = process.env.MONGODB_URI;
  if (external) process.env.MONGODB_URI = external;
  const db = await startDatabase({ dataDir, forceEmbedded: !external, durable: false });
  if (external) process.env.MONGODB_URI = saved;
  project.provide("instancesServerUri", db.uri);
  return async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
