/**
 * Index coverage during the integration tests (decision 011): records every query shape the app
 * sends and fails the test that sent a shape no declared index serves on MongoDB. Writes this
 * file's shapes to .cache/query-shapes/ for the table printed at the end (global-query-shapes.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { checkShape } from "../support/index-coverage";
import { declaredIndexes, fileRecorder, unservedReport, type RecordedShape } from "../support/query-recorder";
import { QUERY_SHAPES_DIR, type ShapeFileReport } from "../support/query-shapes-report";

// Command monitoring must be on before the first connection: the driver reads it per connection.
const uri = new URL(process.env.MONGODB_URI ?? "mongodb://unset");
uri.searchParams.set("monitorCommands", "true");
process.env.MONGODB_URI = uri.toString();

const recorder = fileRecorder;
const indexes = declaredIndexes();
const reported = new Set<string>();
let uninstall: (() => void) | undefined;

beforeAll(async () => {
  const { connectDb } = await import("~/db.server");
  await connectDb();
  uninstall = recorder.install();
});

/** Throws once per unserved shape, listing each with its call sites and the index to declare. */
function failOnUnserved(): void {
  const report = unservedReport(recorder, indexes, reported);
  if (report) throw new Error(report);
}

afterEach(() => failOnUnserved());

const toJson = (entry: RecordedShape) => ({
  key: entry.key,
  shape: entry.shape,
  ops: [...entry.ops],
  sources: [...entry.sources],
  callSites: [...entry.callSites],
  count: entry.count,
  verdict: checkShape(entry.shape, indexes.get(entry.shape.collection), [...entry.callSites]),
});

afterAll(() => {
  uninstall?.();
  const file = path.relative(process.cwd(), expect.getState().testPath ?? "unknown.test.ts");
  const report: ShapeFileReport = {
    file,
    shapes: [...recorder.app.values()].map(toJson),
    testOnly: [...recorder.testOnly.keys()],
  };
  mkdirSync(QUERY_SHAPES_DIR, { recursive: true });
  writeFileSync(path.join(QUERY_SHAPES_DIR, `${file.replaceAll(/[/\\]/g, "__")}.json`), JSON.stringify(report, null, 1));
  failOnUnserved();
});
