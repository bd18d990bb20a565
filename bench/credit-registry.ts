/**
 * Public credit registry on the city scenario (its 100,000 credit publications across three
 * cities: the slim public read model is the only collection the registry reads), server time
 * through the data functions in this process (no HTTP, no rate limit; the page itself is
 * measured over HTTP with the other pages):
 * - a name search (a different name fragment each run) — one page of 20 and the total,
 * - a credit-code lookup (exact 18-character code of an existing record),
 * - a credit-code prefix lookup (first 10 characters),
 * - a detail page by id,
 * - the CSV export (stream read to the end).
 *
 * `npx tsx bench/credit-registry.ts` runs it alone (on the bench database, seeding the city if needed).
 */
import type { Types } from "mongoose";
import { CreditPublication } from "../models/credit-publication";
import { Tenant } from "../models/tenant";
import {
  REGISTRY_CSV_MAX_ROWS,
  getPublicCreditRecord,
  registryCsvStream,
  searchCreditRegistry,
} from "../app/data/credit-registry.server";
import type { City } from "./city/seed";
import { type BenchRow, invokedDirectly, printRows, quantile, timed } from "./lib/stats";

const RUNS = Number(process.env.BENCH_CREDIT_RUNS ?? 5);
const CSV_RUNS = Number(process.env.BENCH_CREDIT_CSV_RUNS ?? 2);

export async function benchCreditRegistry(city: City): Promise<BenchRow[]> {
  const other = await Tenant.findOne({ slug: "mianyang" }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }>();
  const samples = await CreditPublication.find({ tenantId: other?._id })
    .limit(RUNS)
    .select({ _id: 1, creditCode: 1 })
    .lean<Array<{ _id: Types.ObjectId; creditCode: string }>>();
  if (samples.length === 0) throw new Error("no credit publications to look up");
  const query = { q: "", condition: "", year: null, listType: "" as const, page: 1, pageSize: 20 };
  const names: number[] = [];
  const codes: number[] = [];
  const prefixes: number[] = [];
  const details: number[] = [];
  const csvs: number[] = [];
  // One warm-up (connection pool, code paths).
  await searchCreditRegistry({ query: { ...query, q: city.registryQueries[0] ?? "" }, tenantId: null });
  for (let r = 0; r < RUNS; r++) {
    const n = await timed(() => searchCreditRegistry({ query: { ...query, q: city.registryQueries[(r + 1) % city.registryQueries.length] ?? "" }, tenantId: null }));
    names.push(n.ms);
    const sample = samples[r % samples.length] as (typeof samples)[number];
    const c = await timed(() => searchCreditRegistry({ query: { ...query, q: sample.creditCode }, tenantId: null }));
    if (c.value.total !== 1) throw new Error(`code lookup found ${c.value.total} records`);
    codes.push(c.ms);
    prefixes.push((await timed(() => searchCreditRegistry({ query: { ...query, q: sample.creditCode.slice(0, 10) }, tenantId: null }))).ms);
    const d = await timed(() => getPublicCreditRecord({ id: String(sample._id), tenantId: null }));
    if (!d.value) throw new Error("detail not found");
    details.push(d.ms);
  }
  let csvRows = 0;
  for (let r = 0; r < CSV_RUNS; r++) {
    const c = await timed(async () => {
      const { stream } = await registryCsvStream({ query, tenantId: null, locale: "zh-CN" });
      const text = await new Response(stream).text();
      return text.split("\r\n").length - 2;
    });
    csvRows = c.value;
    csvs.push(c.ms);
  }
  for (const list of [names, codes, prefixes, details, csvs]) list.sort((a, b) => a - b);
  const label = `${city.counts.creditPublications.toLocaleString("en")} publications`;
  return [
    { name: `Credit registry name search, ${label} (median, in process)`, value: quantile(names, 0.5), unit: "ms" },
    { name: `Credit registry name search (p95, ${names.length} runs, in process)`, value: quantile(names, 0.95), unit: "ms" },
    { name: `Credit registry code lookup, ${label} (median)`, value: quantile(codes, 0.5), unit: "ms" },
    { name: "Credit registry code prefix (10 chars, median)", value: quantile(prefixes, 0.5), unit: "ms" },
    { name: "Credit registry detail by id (median)", value: quantile(details, 0.5), unit: "ms" },
    {
      name: `Credit registry CSV export, ${csvRows.toLocaleString("en")} rows (median)`,
      value: quantile(csvs, 0.5),
      unit: "ms",
      target: `${REGISTRY_CSV_MAX_ROWS.toLocaleString("en")} rows`,
    },
  ];
}

if (invokedDirectly(import.meta.url)) {
  const { withCity } = await import("./city/standalone");
  printRows(await withCity((city) => benchCreditRegistry(city)));
}
