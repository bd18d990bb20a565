/** Starts one embedded FerretDB (on PostgreSQL, fsync off) for the whole integration run; each test file uses its own database. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startDatabase } from "../../scripts/lib/database";

declare module "vitest" {
  export interface ProvidedContext {
    mongoServerUri: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-it-"));
  // Tests always run on FerretDB unless TEST_MONGODB_URI points at a real MongoDB.
  const external = process.env.TEST_MONGODB_URI;
  const saved = process.env.MONGODB_URI;
  if (external) process.env.MONGODB_URI = external;
  const db = await startDatabase({ dataDir, forceEmbedded: !external, durable: false });
  if (external) process.env.MONGODB_URI = saved;
  project.provide("mongoServerUri", db.uri);
  return async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
