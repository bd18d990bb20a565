/**
 * Issue 15 (Step 11): a small XLSX of many rows is refused at the row cap while streaming,
 * not parsed whole first. The refusal goes through the route; memory is measured in a child process.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { Enterprise } from "../../models/enterprise";
import { IMPORT_MAX_ROWS, readImportFile } from "~/data/enterprise-directory.server";
import { action as importAction } from "~/routes/t.$slug.enterprises.import";
import { cookieFor, createMember, createTenant, randomCreditCode } from "../factories";

const HEADER = ["企业名称", "统一社会信用代码", "行业", "企业规模", "所属区（市）县", "地址", "联系人", "联系电话"];

/** A 60,000-row XLSX written with exceljs's streaming writer into a Buffer. */
async function bigXlsx(rows: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => out.on("end", resolve));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true });
  const ws = wb.addWorksheet("企业");
  ws.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) ws.addRow([`企业${i}`, randomCreditCode(), "制造业", "小型", "d1", "地址", "张三", "13800000000"]).commit();
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

describe("enterprise import limits", () => {
  it("refuses a 60,000-row XLSX with the too-many-rows error and writes nothing", async () => {
    const bytes = await bigXlsx(60_000);
    expect(bytes.length).toBeLessThan(5 * 1024 * 1024);
    const tenant = await createTenant();
    const regulator = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(regulator.user._id);
    const form = new FormData();
    form.set("file", new File([new Uint8Array(bytes)], "big.xlsx", { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
    const request = new Request(`http://localhost:3000/t/${tenant.slug}/enterprises/import`, {
      method: "POST",
      body: form,
      headers: { Cookie: cookie, "x-sg-client-ip": "127.0.0.1" },
    });
    const result = (await importAction({ request, params: { slug: tenant.slug }, context: {} })) as unknown as {
      data: { ok: boolean; fileError?: string };
      init: ResponseInit | null;
    };
    expect(result.init?.status).toBe(400);
    expect(result.data.ok).toBe(false);
    expect(result.data.fileError).toContain("dashboard.import.error.tooLarge");
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
  }, 120_000);

  it("a CSV past the row cap is refused the same way", async () => {
    const lines = [HEADER.join(",")];
    for (let i = 0; i < IMPORT_MAX_ROWS + 1; i++) lines.push(`企业${i},${randomCreditCode()},制造业,小型,d1,地址,张三,13800000000`);
    const res = await readImportFile({ name: "big.csv", bytes: Buffer.from(lines.join("\r\n")) });
    expect(Array.isArray(res)).toBe(false);
    expect(!Array.isArray(res) && res.fileError).toContain("dashboard.import.error.tooLarge");
    const ok = await readImportFile({ name: "ok.csv", bytes: Buffer.from(lines.slice(0, IMPORT_MAX_ROWS + 1).join("\r\n")) });
    expect(Array.isArray(ok) && ok.length).toBe(IMPORT_MAX_ROWS + 1);
  });

  it("reading the 60,000-row XLSX grows the heap by well under 100 MB (child process)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-import-"));
    const file = path.join(dir, "big.xlsx");
    writeFileSync(file, await bigXlsx(60_000));
    const script = path.join(dir, "measure.mts");
    const root = path.resolve(__dirname, "../..");
    writeFileSync(
      script,
      `import { readFileSync } from "node:fs";
import { parseXlsxLimited } from ${JSON.stringify(path.join(root, "app/data/table-export.server.ts"))};
const bytes = readFileSync(${JSON.stringify(file)});
let peak = 0;
const base = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const timer = setInterval(() => { const m = process.memoryUsage(); peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base); }, 5);
let outcome = "read";
try { await parseXlsxLimited(bytes, { maxRows: 5001, maxCellChars: 1000 }); } catch (e) { outcome = (e as Error).message; }
const m = process.memoryUsage(); peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base);
clearInterval(timer);
console.log(JSON.stringify({ outcome, peakMb: peak / 1024 / 1024 }));
`,
    );
    const tsx = path.join(root, "node_modules/.bin/tsx");
    const out = execFileSync(tsx, ["--tsconfig", path.join(root, "tsconfig.json"), script], { cwd: root, encoding: "utf8" });
    const { outcome, peakMb } = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { outcome: string; peakMb: number };
    expect(outcome).toBe("table rows limit exceeded");
    expect(peakMb).toBeLessThan(100);
  }, 120_000);
});
