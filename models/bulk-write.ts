/**
 * `bulkWrite` in chunks small enough for FerretDB 1.24 on PostgreSQL (decision 031).
 *
 * FerretDB's `update` command keeps the PostgreSQL rows of every statement that matched a
 * document open until the whole command ends (`defer closer.Close()` inside its loop over the
 * statements, internal/handler/msg_update.go; an upsert that matches nothing reads to the end and
 * frees its connection), and its pool holds 50 connections. One bulkWrite of ≥ 50 matching
 * update/replace statements therefore waits for a connection it can never get, and FerretDB stops
 * answering every client (measured: the bench's refill of 3,000 existing application rows in
 * batches of 200 hung for good; tests/integration/application-rows.test.ts hangs with 200).
 * Every bulk of updates goes through here; MongoDB is not affected by the chunking.
 */
import type { Model } from "mongoose";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model's schema
type AnyModel = Model<any>;

/** Statements per command: far below the pool's 50, leaving room for concurrent requests. */
export const BULK_WRITE_CHUNK = 20;

export async function bulkWriteInChunks<M extends AnyModel>(
  model: M,
  operations: Parameters<M["bulkWrite"]>[0],
  chunk = BULK_WRITE_CHUNK,
): Promise<void> {
  const size = Math.max(1, Math.min(chunk, BULK_WRITE_CHUNK));
  for (let i = 0; i < operations.length; i += size) {
    await model.bulkWrite(operations.slice(i, i + size), { ordered: false });
  }
}
