import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { withDatabaseName } from "../../scripts/lib/database";

// Each test file (isolated module graph) gets its own database, dropped at the end.
const dbName = `sg_test_${process.env.VITEST_POOL_ID ?? "0"}_${randomBytes(4).toString("hex")}`;
process.env.MONGODB_URI = withDatabaseName(inject("mongoServerUri"), dbName);
(process.env as Record<string, string>).NODE_ENV = "test";
process.env.SESSION_SECRET = "test-secret-test-secret-test-secret-0123";
process.env.APP_URL = "http://localhost:3000";

beforeAll(async () => {
  const { connectDb } = await import("~/db.server");
  const { ensureIndexes } = await import("../../models/index");
  await connectDb();
  await ensureIndexes();
});

beforeEach(async () => {
  const db = mongoose.connection.db;
  if (!db) return;
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(collections.map((c) => db.collection(c.name).deleteMany({})));
  // The public pages' per-process cache (decision 029) must not outlive the data it was read from.
  const { clearPublicCache } = await import("~/data/public-cache.server");
  clearPublicCache();
  // Likewise the tenant lists' row cache (decision 031).
  const { clearTenantListCache } = await import("~/data/tenant-list-cache.server");
  clearTenantListCache();
});

afterAll(async () => {
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
});
