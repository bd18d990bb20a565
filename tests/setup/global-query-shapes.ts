/**
 * Index coverage (decision 011): clears the per-file shape records before the integration run and
 * prints every query shape seen, with the index serving it, after it (also written to
 * .cache/query-shapes/REPORT.md). Unserved shapes already failed their tests (query-shapes.ts).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatShapeTable, mergeReports, QUERY_SHAPES_DIR, type ShapeFileReport } from "../support/query-shapes-report";

export default function setup() {
  rmSync(QUERY_SHAPES_DIR, { recursive: true, force: true });
  return () => {
    if (!existsSync(QUERY_SHAPES_DIR)) return;
    const reports = readdirSync(QUERY_SHAPES_DIR)
      .filter((name) => name.endsWith(".json"))
      .map((name): ShapeFileReport => JSON.parse(readFileSync(path.join(QUERY_SHAPES_DIR, name), "utf8")));
    const table = formatShapeTable(mergeReports(reports));
    writeFileSync(path.join(QUERY_SHAPES_DIR, "REPORT.md"), `${table}\n`);
    console.log(`\n${table}\n\n(written to ${path.relative(process.cwd(), path.join(QUERY_SHAPES_DIR, "REPORT.md"))})`);
  };
}
