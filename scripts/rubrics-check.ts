/**
 * Validates every rubric (`rubrics/*.json`) and weight profile (`rubrics/weights/*.json`).
 * Prints one line per file ("ok" or "FAIL" followed by its errors); exits 1 if any file is invalid.
 * `RUBRICS_DIR` points it at another directory.
 */
import {
  defaultRubricsDir,
  displayPath,
  listRubricFiles,
  listWeightProfileFiles,
  loadRubricFile,
  loadWeightProfileFile,
} from "../app/lib/rubric/load-files.server";

type Checked =
  | { ok: true; path: string; summary: string }
  | { ok: false; path: string | null; errors: string[] };

async function main(): Promise<void> {
  const dir = defaultRubricsDir();
  const rubricFiles = await listRubricFiles(dir);
  const profileFiles = await listWeightProfileFiles(dir);
  if (rubricFiles.length === 0 && profileFiles.length === 0) {
    process.stdout.write(`no rubric or weight-profile files in ${displayPath(dir)}\n`);
    return;
  }

  const results: Checked[] = [];
  for (const file of rubricFiles) {
    const r = await loadRubricFile(file);
    if (r.ok) {
      const items = r.value.elements.reduce(
        (n, el) => n + el.subElements.reduce((m, s) => m + s.items.length, 0),
        0,
      );
      results.push({
        ok: true,
        path: file,
        summary: `rubric ${r.value.key}@${r.value.version}, ${items} items, ${r.value.totalPoints} points`,
      });
    } else results.push({ ok: false, path: file, errors: r.errors });
  }
  for (const file of profileFiles) {
    const r = await loadWeightProfileFile(file);
    if (r.ok)
      results.push({
        ok: true,
        path: file,
        summary: `weight profile ${r.value.key}, ${r.value.rules.length} rules`,
      });
    else results.push({ ok: false, path: file, errors: r.errors });
  }

  let failed = 0;
  for (const r of results) {
    const label = r.path === null ? "?" : displayPath(r.path);
    if (r.ok) process.stdout.write(`ok    ${label}  (${r.summary})\n`);
    else {
      failed++;
      process.stdout.write(`FAIL  ${label}\n`);
      for (const e of r.errors) process.stdout.write(`      ${e}\n`);
    }
  }
  process.stdout.write(`${results.length - failed}/${results.length} files valid\n`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(
    `rubrics-check: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
