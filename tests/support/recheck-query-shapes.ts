/**
 * Re-checks the shapes the last integration run recorded (.cache/query-shapes/) against the
 * indexes declared now, without running the suite: `npx tsx tests/support/recheck-query-shapes.ts`.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { checkShape, describeUnserved } from "./index-coverage";
import { declaredIndexes } from "./query-recorder";
import { formatShapeTable, mergeReports, QUERY_SHAPES_DIR, type ShapeFileReport } from "./query-shapes-report";

const indexes = declaredIndexes();
const reports = readdirSync(QUERY_SHAPES_DIR)
  .filter((name) => name.endsWith(".json"))
  .map((name): ShapeFileReport => JSON.parse(readFileSync(path.join(QUERY_SHAPES_DIR, name), "utf8")));
for (const report of reports) {
  for (const s of report.shapes) s.verdict = checkShape(s.shape, indexes.get(s.shape.collection), s.callSites);
}
const rows = mergeReports(reports);
console.log(formatShapeTable(rows));
const unserved = rows.filter((r) => !r.verdict.served);
for (const r of unserved) {
  const shape = reports.flatMap((rep) => rep.shapes).find((s) => s.key === r.key)?.shape;
  if (shape && !r.verdict.served) console.log(describeUnserved(shape, r.verdict, indexes.get(r.collection), [...r.callSites]));
}
console.log(`\n${unserved.length} unserved of ${rows.length}`);
process.exit(unserved.length > 0 ? 1 : 0);
