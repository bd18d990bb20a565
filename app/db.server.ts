import mongoose from "mongoose";
import { getEnv } from "./env.server";
import { logger } from "./logger.server";

declare global {
  var __safegradeMongoose: Promise<typeof mongoose> | undefined;
}

mongoose.set("strictQuery", true);
// Indexes are created explicitly by `ensureIndexes` at start, not on every model compile.
mongoose.set("autoIndex", false);

/** Closed, or closing: a kept promise for such a connection must not be handed out again. */
function connectionClosed(): boolean {
  const state = mongoose.connection.readyState;
  return state === mongoose.ConnectionStates.disconnected || state === mongoose.ConnectionStates.disconnecting;
}

/**
 * One connection per process, kept across dev rebuilds (the connection is not app state).
 * After a `mongoose.disconnect()` (a benchmark or test that closed it) the next call connects
 * again, to the database configured at that moment (MONGODB_URI is read at connect time).
 */
export function connectDb(): Promise<typeof mongoose> {
  // readyState is "connecting" from the moment mongoose.connect() is called, so a connection still
  // being opened is never mistaken for a closed one.
  if (global.__safegradeMongoose && connectionClosed()) global.__safegradeMongoose = undefined;
  if (!global.__safegradeMongoose) {
    const uri = process.env.MONGODB_URI?.trim() || getEnv().MONGODB_URI;
    global.__safegradeMongoose = mongoose
      .connect(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20 })
      .catch((error: unknown) => {
        global.__safegradeMongoose = undefined;
        logger.error({ err: error }, "database connection failed");
        throw error;
      });
  }
  return global.__safegradeMongoose;
}

export async function pingDb(): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    const conn = await connectDb();
    const db = conn.connection.db;
    if (!db) throw new Error("no database handle");
    await db.command({ ping: 1 });
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: String(error) };
  }
}
