/** The table of every query shape the integration suite sent, with the index that serves it. */
import path from "node:path";
import type { QueryShape, Verdict } from "./index-coverage";

export const QUERY_SHAPES_DIR = path.resolve(import.meta.dirname, "../../.cache/query-shapes");

export type ShapeFileReport = {
  file: string;
  shapes: {
    key: string;
    shape: QueryShape;
    ops: string[];
    sources: string[];
    callSites: string[];
    count: number;
    verdict: Verdict;
  }[];
  testOnly: string[];
};

type Row = { key: string; collection: string; ops: Set<string>; sources: Set<string>; callSites: Set<string>; files: Set<string>; count: number; verdict: Verdict };

export function mergeReports(reports: ShapeFileReport[]): Row[] {
  const rows = new Map<string, Row>();
  for (const report of reports) {
    for (const s of report.shapes) {
      const row = rows.get(s.key) ?? {
        key: s.key,
        collection: s.shape.collection,
        ops: new Set<string>(),
        sources: new Set<string>(),
        callSites: new Set<string>(),
        files: new Set<string>(),
        count: 0,
        verdict: s.verdict,
      };
      s.ops.forEach((o) => row.ops.add(o));
      s.sources.forEach((o) => row.sources.add(o));
      s.callSites.forEach((o) => row.callSites.add(o));
      row.files.add(report.file);
      row.count += s.count;
      rows.set(s.key, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Markdown table: shape, operations, serving index (or UNSERVED), call sites. */
export function formatShapeTable(rows: Row[]): string {
  const served = rows.filter((r) => r.verdict.served).length;
  const collections = new Set(rows.map((r) => r.collection)).size;
  const lines = [
    `Query shapes sent by the app during the integration tests: ${rows.length} shapes on ${collections} collections, ${served} served, ${rows.length - served} unserved.`,
    "",
    "| shape | ops | served by | call sites |",
    "|---|---|---|---|",
  ];
  for (const r of rows) {
    const by = r.verdict.served ? `${r.verdict.index}${r.verdict.crossTenant ? " (cross-tenant)" : ""}` : `**UNSERVED**: ${r.verdict.reason}`;
    lines.push(`| \`${r.key}\` | ${[...r.ops].sort().join(", ")} | ${by} | ${[...r.callSites].join("<br>")} |`);
  }
  return lines.join("\n");
}
