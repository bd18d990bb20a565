/**
 * Records the shape of every query the app sends during an integration test file (decision 011).
 * Two taps, merged by shape key:
 * - mongoose's debug hook, called synchronously from the collection method, so `new Error().stack`
 *   names the app function that sent it (every model query);
 * - the driver's command monitoring (`commandStarted`), which also sees what bypasses mongoose
 *   (GridFS buckets, `connection.db.collection(...)`); its call site comes from the async stack.
 * Only queries with a call site in app/, models/ or scripts/ are the app's; the rest (tests'
 * own set-up and assertions) are recorded as test-only and not checked.
 */
import path from "node:path";
import mongoose from "mongoose";
import { ALL_MODELS } from "../../models/index";
import { EVIDENCE_INDEXES } from "../../models/evidence-files";
import { INDEX_POLICY } from "./index-policy";
import { isTenantScoped } from "../../models/tenant-scoped";
import {
  checkShape,
  describeUnserved,
  shapeKey,
  shapeOf,
  shapeOfPipeline,
  sortKeysOf,
  type CollectionIndexes,
  type DeclaredIndex,
  type IndexKeys,
  type QueryShape,
} from "./index-coverage";

export type RecordedShape = {
  key: string;
  shape: QueryShape;
  ops: Set<string>;
  sources: Set<"mongoose" | "driver">;
  callSites: Set<string>;
  count: number;
};

const ROOT = path.resolve(import.meta.dirname, "../..");
const APP_DIRS = ["app", "models", "scripts"].map((d) => path.join(ROOT, d) + path.sep);
const MAX_CALL_SITES = 5;

/** The first stack frame in app/, models/ or scripts/, as `path:line (function)`; null if none. */
export function appCallSite(stack: string | undefined): string | null {
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const match = /at (?:async )?(?:(.*?) \()?(\/[^()]+?):(\d+):\d+\)?$/.exec(line.trim());
    if (!match) continue;
    const [, fn, file = "", lineNo] = match;
    if (file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (!APP_DIRS.some((dir) => file.startsWith(dir))) continue;
    return `${path.relative(ROOT, file)}:${lineNo}${fn ? ` (${fn.replace(/^Object\./, "")})` : ""}`;
  }
  return null;
}

function captureStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error("query").stack;
  Error.stackTraceLimit = limit;
  return stack;
}

type Extracted = { op: string; shapes: QueryShape[] };

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};

/** Shapes from a mongoose collection call: `find(filter, options)`, `updateOne(filter, …)`, … */
export function shapesFromCollectionCall(collection: string, method: string, args: unknown[]): Extracted | null {
  const [first, second, third] = args;
  switch (method) {
    case "find":
    case "findOne":
      return { op: method, shapes: [shapeOf(collection, first, asRecord(second).sort)] };
    case "countDocuments":
    case "updateOne":
    case "updateMany":
    case "deleteOne":
    case "deleteMany":
    case "replaceOne":
    case "findOneAndDelete":
      return { op: method, shapes: [shapeOf(collection, first, asRecord(second).sort)] };
    case "findOneAndUpdate":
    case "findOneAndReplace":
      return { op: method, shapes: [shapeOf(collection, first, asRecord(third).sort)] };
    case "distinct":
      return { op: method, shapes: [shapeOf(collection, second)] };
    case "aggregate":
      return statisticsOnly(first) ? null : { op: method, shapes: [shapeOfPipeline(collection, first)] };
    case "bulkWrite": {
      const ops = Array.isArray(first) ? first : [];
      const shapes = ops.flatMap((op: unknown) =>
        Object.values(asRecord(op))
          .map(asRecord)
          .filter((body) => "filter" in body)
          .map((body) => shapeOf(collection, body.filter)),
      );
      return { op: method, shapes };
    }
    default:
      return null;
  }
}

/** A `$collStats` pipeline reads storage statistics, no document (models/collection-size.ts). */
function statisticsOnly(pipeline: unknown): boolean {
  return Array.isArray(pipeline) && pipeline.length === 1 && "$collStats" in asRecord(pipeline[0]);
}

/** Shapes from a wire command (command monitoring). */
export function shapesFromCommand(command: Record<string, unknown>): Extracted | null {
  const name = Object.keys(command)[0] ?? "";
  const collection = command[name];
  if (typeof collection !== "string") return null;
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.map(asRecord) : []);
  switch (name) {
    case "find":
      return { op: name, shapes: [shapeOf(collection, command.filter ?? {}, command.sort)] };
    case "aggregate":
      return statisticsOnly(command.pipeline) ? null : { op: name, shapes: [shapeOfPipeline(collection, command.pipeline)] };
    case "count":
      // Without a query, `count` is estimatedDocumentCount: collection metadata, no scan.
      return command.query && Object.keys(asRecord(command.query)).length > 0
        ? { op: name, shapes: [shapeOf(collection, command.query)] }
        : null;
    case "distinct":
      return { op: name, shapes: [shapeOf(collection, command.query ?? {})] };
    case "findAndModify":
      return { op: name, shapes: [shapeOf(collection, command.query ?? {}, command.sort)] };
    case "update":
      return { op: name, shapes: list(command.updates).map((u) => shapeOf(collection, u.q)) };
    case "delete":
      return { op: name, shapes: list(command.deletes).map((d) => shapeOf(collection, d.q)) };
    default:
      return null;
  }
}

export class QueryRecorder {
  readonly app = new Map<string, RecordedShape>();
  readonly testOnly = new Map<string, RecordedShape>();

  add(source: "mongoose" | "driver", extracted: Extracted, callSite: string | null): void {
    for (const shape of extracted.shapes) {
      const key = shapeKey(shape);
      const target = callSite ? this.app : this.testOnly;
      const entry = target.get(key) ?? { key, shape, ops: new Set(), sources: new Set(), callSites: new Set(), count: 0 };
      entry.ops.add(extracted.op);
      entry.sources.add(source);
      if (callSite && entry.callSites.size < MAX_CALL_SITES) entry.callSites.add(callSite);
      entry.count += 1;
      target.set(key, entry);
    }
  }

  /** Installs both taps; call before the first query of the file. Returns the uninstaller. */
  install(): () => void {
    // Keys of mongoose calls whose driver command is still to come (the same query, seen twice).
    const pending = new Map<string, number>();
    mongoose.set("debug", (collection: string, method: string, ...args: unknown[]) => {
      const extracted = shapesFromCollectionCall(collection, method, args);
      if (!extracted) return;
      this.add("mongoose", extracted, appCallSite(captureStack()));
      for (const shape of extracted.shapes) pending.set(shapeKey(shape), (pending.get(shapeKey(shape)) ?? 0) + 1);
    });
    const client = mongoose.connection.getClient();
    const onCommand = (event: { command: Record<string, unknown> }) => {
      const extracted = shapesFromCommand(event.command);
      if (!extracted) return;
      const keys = extracted.shapes.map(shapeKey);
      if (keys.every((k) => (pending.get(k) ?? 0) > 0)) {
        for (const k of keys) pending.set(k, (pending.get(k) ?? 1) - 1);
        for (const k of keys) (this.app.get(k) ?? this.testOnly.get(k))?.sources.add("driver");
        return;
      }
      this.add("driver", extracted, appCallSite(captureStack()));
    };
    client.on("commandStarted", onCommand);
    return () => {
      mongoose.set("debug", false);
      client.off("commandStarted", onCommand);
    };
  }
}

/** The recorder of the running integration test file (installed by tests/setup/query-shapes.ts). */
export const fileRecorder = new QueryRecorder();

/**
 * The failure text for the shapes recorded since the last call that no declared index serves
 * (each shape is reported once per file), or null when all are served.
 */
export function unservedReport(
  recorder: QueryRecorder,
  indexes: Map<string, CollectionIndexes>,
  reported: Set<string>,
): string | null {
  const failures: string[] = [];
  for (const entry of recorder.app.values()) {
    if (reported.has(entry.key)) continue;
    reported.add(entry.key);
    const declared = indexes.get(entry.shape.collection);
    const verdict = checkShape(entry.shape, declared, [...entry.callSites]);
    if (!verdict.served) failures.push(describeUnserved(entry.shape, verdict, declared, [...entry.callSites]));
  }
  return failures.length > 0
    ? `Query shape(s) not served by a declared index on MongoDB (decision 011):\n${failures.join("\n")}`
    : null;
}

const indexKeysOf = (spec: Record<string, unknown>): IndexKeys =>
  sortKeysOf(spec).map((k) => ({ field: k.field, dir: k.dir }));

const indexName = (keys: IndexKeys) => keys.map((k) => `${k.field}_${k.dir}`).join("_");

/** Every index the app declares (models/ schemas, GridFS's in models/evidence-files.ts, and `_id`). */
export function declaredIndexes(): Map<string, CollectionIndexes> {
  const byCollection = new Map<string, CollectionIndexes>();
  const idIndex: DeclaredIndex = { name: "_id_", keys: [{ field: "_id", dir: 1 }], unique: true };
  for (const model of ALL_MODELS) {
    const indexes = model.schema.indexes().map(([spec, options]): DeclaredIndex => {
      const keys = indexKeysOf(spec);
      return { name: indexName(keys), keys, unique: options.unique === true };
    });
    const collection = model.collection.collectionName;
    byCollection.set(collection, {
      collection,
      model: model.modelName,
      tenantOwned: isTenantScoped(model.schema),
      indexes: [idIndex, ...indexes],
      ...INDEX_POLICY[collection],
    });
  }
  for (const index of EVIDENCE_INDEXES) {
    const entry = byCollection.get(index.collection) ?? {
      collection: index.collection,
      model: "EVIDENCE_INDEXES (models/evidence-files.ts)",
      tenantOwned: false,
      indexes: [idIndex],
      ...INDEX_POLICY[index.collection],
    };
    const keys = indexKeysOf(index.keys);
    entry.indexes.push({ name: indexName(keys), keys, unique: index.unique === true });
    byCollection.set(index.collection, entry);
  }
  return byCollection;
}
