/**
 * Index-served equality lookups for the embedded FerretDB on PostgreSQL (decision 030).
 *
 * FerretDB 1.24 pushes a top-level equality filter down as `(_jsonb -> 'field') @> '<value>'`, which
 * PostgreSQL can only answer by a sequential scan: the B-tree indexes FerretDB builds for
 * `createIndexes` cannot serve `@>`. So even an `_id` read cost grows with the collection (14 ms at
 * 30,000 documents, against 2.5 ms with the index below). A GIN `jsonb_path_ops` index on the same
 * expression serves exactly that operator. This module adds one per looked-up field, directly in the
 * embedded cluster: `_id` of every collection, and the first field after `tenantId` of every index the
 * models declare (top-level fields only; dotted paths are not pushed down). On MongoDB in production
 * the declared indexes do this job; nothing here runs there.
 *
 * FerretDB does not know these indexes (they are not in its metadata), so they never show in
 * `listIndexes`; dropping a collection or database drops them with the table.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import type { Schema } from "mongoose";
import { findPostgresBinDir } from "./postgres";

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Fields looked up by equality per collection, from the indexes the models declare. */
export function lookupFieldsOf(
  models: ReadonlyArray<{ schema: Schema; collection: { collectionName: string } }>,
): Map<string, string[]> {
  const byCollection = new Map<string, string[]>();
  for (const model of models) {
    const fields = new Set<string>(["_id"]);
    for (const [keys] of model.schema.indexes()) {
      // The tenant alone: the per-tenant list loads (decision 031) filter by it only, and a
      // small tenant next to large ones must not scan theirs (2.5 s at 100,000 credit records).
      if (Object.keys(keys)[0] === "tenantId") fields.add("tenantId");
      const first = Object.keys(keys).find((key) => key !== "tenantId");
      if (first && FIELD.test(first)) fields.add(first);
    }
    byCollection.set(model.collection.collectionName, [...fields]);
  }
  return byCollection;
}

function runPsql(postgresUrl: string, sql: string): string {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error("PostgreSQL client (psql) not found");
  const result = spawnSync(path.join(binDir, "psql"), [postgresUrl, "-v", "ON_ERROR_STOP=1", "-qtAc", sql], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A PostgreSQL index name (≤ 63 bytes) that is the same on every start. */
function indexName(table: string, field: string): string {
  const name = `${table}_sg_${field}`;
  if (name.length <= 63) return name;
  return `sg_${createHash("sha1").update(name).digest("hex").slice(0, 20)}`;
}

/**
 * Creates the missing lookup indexes of one FerretDB database (a PostgreSQL schema) and analyses the
 * tables it indexed, so the planner uses them at once. Idempotent; returns how many it created.
 */
export function ensureLookupIndexes(options: {
  postgresUrl: string;
  database: string;
  fields: Map<string, string[]>;
}): { created: number } {
  const schema = options.database;
  const exists = runPsql(options.postgresUrl, `SELECT to_regclass(${quoteLiteral(`${quoteIdent(schema)}._ferretdb_database_metadata`)}) IS NOT NULL`);
  if (exists !== "t") return { created: 0 };
  const tables = new Map<string, string>();
  const rows = runPsql(
    options.postgresUrl,
    `SELECT _jsonb->>'_id', _jsonb->>'table' FROM ${quoteIdent(schema)}._ferretdb_database_metadata`,
  );
  for (const line of rows.split("\n").filter(Boolean)) {
    const [collection, table] = line.split("|");
    if (collection && table) tables.set(collection, table);
  }
  const present = new Set(
    runPsql(options.postgresUrl, `SELECT indexname FROM pg_indexes WHERE schemaname = ${quoteLiteral(schema)}`)
      .split("\n")
      .filter(Boolean),
  );
  const statements: string[] = [];
  const touched = new Set<string>();
  for (const [collection, fields] of options.fields) {
    const table = tables.get(collection);
    if (!table) continue;
    for (const field of fields) {
      if (!FIELD.test(field)) continue;
      const name = indexName(table, field);
      if (present.has(name)) continue;
      statements.push(
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${quoteIdent(schema)}.${quoteIdent(table)} USING gin ((_jsonb -> ${quoteLiteral(field)}) jsonb_path_ops);`,
      );
      touched.add(table);
    }
  }
  if (statements.length === 0) return { created: 0 };
  for (const table of touched) statements.push(`ANALYZE ${quoteIdent(schema)}.${quoteIdent(table)};`);
  runPsql(options.postgresUrl, statements.join("\n"));
  return { created: statements.length - touched.size };
}

/** Fresh planner statistics for the whole cluster (after a bulk load such as the bench's city seed). */
export function analyzeAll(postgresUrl: string): void {
  runPsql(postgresUrl, "ANALYZE");
}
