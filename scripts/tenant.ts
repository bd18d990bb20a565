/**
 * Tenants for scripted set-ups: the same data functions and validation as the platform page.
 *
 *   npm run tenant -- create --slug chengdu --authority-zh 成都市应急管理局 --authority-en "Chengdu EMB" \
 *       --province 510000 --city 510100 --district "510104 锦江区" --district "510105 青羊区" \
 *       [--districts-file districts.txt] [--target "2026 510104 30"]... [--pattern ...] [--levels level3,qualified]
 *       [--holiday 2026-05-06]... [--workday 2026-05-09]... [--admin-email admin@example.cn] [--uri mongodb://…]
 *   npm run tenant -- update --slug chengdu [same options; unnamed options keep their stored value]
 *   npm run tenant -- deactivate --slug chengdu --reason "..."
 *   npm run tenant -- activate --slug chengdu
 *   npm run tenant -- invite --slug chengdu --email admin@example.cn
 *   npm run tenant -- list
 *
 * Exit codes: 0 done, 2 bad arguments or refused input (field errors printed), 1 failure.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import mongoose from "mongoose";
import { runTenantCommand, type TenantCliOptions } from "./lib/tenant-cli";

const USAGE = "usage: npm run tenant -- <create|update|deactivate|activate|invite|list> --slug <slug> [options] (see scripts/tenant.ts)";

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? "";
  if (values.uri) process.env.MONGODB_URI = values.uri;
  if (!process.env.MONGODB_URI) fail("set MONGODB_URI or pass --uri");
  process.env.NODE_ENV ??= "development";
  const districtFile = values["districts-file"] ? readFileSync(values["districts-file"], "utf8") : "";
  const options: TenantCliOptions = { ...values, districtLines: [districtFile, ...(values.district ?? [])].filter(Boolean) };
  await mongoose.connect(process.env.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  try {
    const { loadOrCreateSessionSecret } = await import("./lib/app-secret");
    if (!process.env.SESSION_SECRET) process.env.SESSION_SECRET = await loadOrCreateSessionSecret();
    const result = await runTenantCommand(command, options);
    process.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
    process.exitCode = result.exitCode;
  } finally {
    await mongoose.disconnect();
  }
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      uri: { type: "string" },
      slug: { type: "string" },
      "authority-zh": { type: "string" },
      "authority-en": { type: "string" },
      province: { type: "string" },
      city: { type: "string" },
      district: { type: "string", multiple: true },
      "districts-file": { type: "string" },
      pattern: { type: "string" },
      levels: { type: "string" },
      "acceptance-days": { type: "string" },
      "review-days": { type: "string" },
      "notice-days": { type: "string" },
      reviewers: { type: "string" },
      "valid-years": { type: "string" },
      holiday: { type: "string", multiple: true },
      workday: { type: "string", multiple: true },
      "credit-defence-days": { type: "string" },
      "credit-repair-months": { type: "string" },
      "credit-effect": { type: "string" },
      target: { type: "string", multiple: true },
      "admin-email": { type: "string" },
      email: { type: "string" },
      reason: { type: "string" },
      locale: { type: "string" },
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
