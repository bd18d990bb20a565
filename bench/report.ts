/** The bench's markdown report: the page table against the baseline, then the other figures. */
import os from "node:os";
import type { City } from "./city/seed";
import type { PageResult } from "./pages";
import type { BenchRow } from "./lib/stats";

export type ReportInput = {
  startedAt: Date;
  totalSeconds: number;
  database: string;
  city: City;
  reused: boolean;
  connections: number;
  durationSeconds: number;
  baseline: { rps: number; p50: number; p95: number; htmlBytes: number };
  pages: PageResult[];
  rows: BenchRow[];
};

function table(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [fmt(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(fmt)].join("\n");
}

const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export function pageTable(input: Pick<ReportInput, "baseline" | "pages">): string {
  const b = input.baseline;
  return table(
    ["page (as user)", "req/s", "× baseline", "p50 ms", "p95 ms", "HTML KB", "result"],
    [
      ["Baseline: minimal Remix route", b.rps.toFixed(0), "1.00", ms(b.p50), ms(b.p95), kb(b.htmlBytes), ""],
      ...input.pages.map((p) => [p.name, p.rps.toFixed(0), p.ratio.toFixed(2), ms(p.p50), ms(p.p95), kb(p.htmlBytes), p.checks.join(", ")]),
    ],
  );
}

export function rowTable(rows: BenchRow[]): string {
  return table(
    ["benchmark", "value", "unit", "target"],
    rows.map((r) => [r.name, r.value.toFixed(r.unit === "req/s" || r.unit === "µs" ? 0 : 1), r.unit, r.target ? `${r.pass === undefined ? "" : r.pass ? "PASS " : "FAIL "}${r.target}` : ""]),
  );
}

export function markdownReport(input: ReportInput): string {
  const c = input.city.counts;
  const cpus = os.cpus();
  const failing = input.pages.filter((p) => !p.pass).map((p) => p.name);
  const failingRows = input.rows.filter((r) => r.pass === false).map((r) => r.name);
  return [
    `# Benchmark ${input.startedAt.toISOString().slice(0, 10)}`,
    "",
    `- Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")}`,
    `- Database: ${input.database}`,
    `- City scenario (scale ${input.city.scale}, seed version ${input.city.version}, ${input.reused ? `reused from the run of ${input.city.seededAt}` : `seeded in this run in ${input.city.seedSeconds} s`}): ${c.enterprises.toLocaleString("en")} enterprises, ${c.users.toLocaleString("en")} users and memberships, ${c.applications.toLocaleString("en")} applications with full answers over three cycles, ${c.certificates.toLocaleString("en")} certificates, ${c.creditRecords.toLocaleString("en")} credit records, ${c.creditPublications.toLocaleString("en")} credit publications, ${c.auditEvents.toLocaleString("en")} audit events`,
    `- HTTP: production build, the server \`npm start\` uses, autocannon on loopback, ${input.connections} connections × ${input.durationSeconds} s per page; the baseline measured in the same run`,
    `- Whole bench: ${(input.totalSeconds / 60).toFixed(1)} min`,
    "",
    "## Pages",
    "",
    pageTable(input),
    "",
    "## Other figures",
    "",
    rowTable(input.rows),
    "",
    `Failing targets: ${[...failing, ...failingRows].join("; ") || "none"}`,
    "",
  ].join("\n");
}
