import { randomBytes } from "node:crypto";
import mongoose from "mongoose";

/**
 * Without SESSION_SECRET (local demo), the signing secret is generated once and kept in the
 * database, so every app instance on that database shares it and restarts keep sessions valid.
 */
export async function loadOrCreateSessionSecret(): Promise<string> {
  const db = mongoose.connection.db;
  if (!db) throw new Error("not connected");
  const col = db.collection<{ _id: string; value: string }>("app_secrets");
  const candidate = randomBytes(32).toString("base64url");
  await col.updateOne({ _id: "session" }, { $setOnInsert: { value: candidate } }, { upsert: true });
  const doc = await col.findOne({ _id: "session" });
  if (!doc) throw new Error("could not store the session secret");
  return doc.value;
}
