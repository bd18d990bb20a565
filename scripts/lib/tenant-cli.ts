/** The commands of scripts/tenant.ts, on the platform's data functions (no validation of their own). */
import mongoose from "mongoose";
import {
  configInputOf,
  createTenant,
  getPlatformTenant,
  inviteTenantAdmin,
  listTenantsForPlatform,
  setTenantActive,
  updateTenantConfig,
} from "../../app/data/tenants/platform.server";
import { translateLoose, type Locale } from "../../app/i18n";
import { parseMsg } from "../../app/lib/validation";
import type { TenantConfigField, TenantConfigInput } from "../../app/lib/tenant-config";

export type TenantCliOptions = Partial<Record<string, string | string[] | boolean | undefined>> & {
  districtLines?: string[];
};

/** Scripted set-ups act as this recorded actor (no person is logged in). */
export const CLI_ACTOR = { id: new mongoose.Types.ObjectId("000000000000000000000c11"), email: "cli@safegrade.local" };

const SCALAR_OPTIONS: Partial<Record<string, TenantConfigField>> = {
  "authority-zh": "authorityZh",
  "authority-en": "authorityEn",
  province: "provinceCode",
  city: "cityCode",
  pattern: "numberPattern",
  levels: "grantableLevels",
  "acceptance-days": "acceptanceDays",
  "review-days": "reviewDays",
  "notice-days": "publicNoticeDays",
  reviewers: "reviewersRequired",
  "valid-years": "certificateValidYears",
  "credit-defence-days": "creditDefenceDays",
  "credit-repair-months": "creditRepairAfterMonths",
  "credit-effect": "creditCertificateEffect",
};
const LIST_OPTIONS: Partial<Record<string, TenantConfigField>> = {
  holiday: "holidays",
  workday: "extraWorkdays",
  target: "targets",
};

const str = (v: unknown) => (typeof v === "string" ? v : "");
const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Options → the flat input the page posts (only the options given). */
export function cliConfigInput(options: TenantCliOptions): TenantConfigInput {
  const input: TenantConfigInput = {};
  for (const [option, field] of Object.entries(SCALAR_OPTIONS)) {
    if (field && typeof options[option] === "string") input[field] = str(options[option]);
  }
  for (const [option, field] of Object.entries(LIST_OPTIONS)) {
    if (field && list(options[option]).length > 0) input[field] = list(options[option]).join("\n");
  }
  if (options.districtLines && options.districtLines.length > 0) input.districts = options.districtLines.join("\n");
  return input;
}

function explain(errors: Record<string, string>, locale: Locale): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => {
      const { key, params } = parseMsg(message);
      return [field, translateLoose(locale, key, params)];
    }),
  );
}

export type CliResult = { exitCode: number; output: unknown };

export async function runTenantCommand(command: string, options: TenantCliOptions): Promise<CliResult> {
  const locale: Locale = options.locale === "en" ? "en" : "zh-CN";
  const slug = str(options.slug);
  const base = { actor: CLI_ACTOR, ip: "cli" };
  const refused = (errors: Record<string, string>) => ({ exitCode: 2, output: { ok: false, errors: explain(errors, locale) } });
  switch (command) {
    case "list":
      return { exitCode: 0, output: await listTenantsForPlatform() };
    case "create": {
      const result = await createTenant({
        ...base,
        locale,
        input: { ...cliConfigInput(options), slug, adminEmail: str(options["admin-email"]) },
      });
      if (!result.ok) return refused(result.errors);
      return { exitCode: 0, output: { ok: true, slug: result.slug, tenantId: String(result.tenantId), invitationError: result.invitationError ?? null } };
    }
    case "update": {
      const tenant = await getPlatformTenant({ slug });
      if (!tenant) return refused({ slug: "platform.error.notFound" });
      const result = await updateTenantConfig({ ...base, slug, input: { ...configInputOf(tenant), ...cliConfigInput(options) } });
      return result.ok ? { exitCode: 0, output: { ok: true, slug } } : refused(result.errors);
    }
    case "deactivate":
    case "activate": {
      const result = await setTenantActive({ ...base, slug, active: command === "activate", reason: str(options.reason) });
      return result.ok ? { exitCode: 0, output: { ok: true, slug, active: command === "activate" } } : refused(result.errors);
    }
    case "invite": {
      const result = await inviteTenantAdmin({ ...base, slug, email: str(options.email), locale });
      return result.ok ? { exitCode: 0, output: { ok: true, slug } } : { exitCode: 2, output: { ok: false, error: result.error } };
    }
    default:
      return { exitCode: 2, output: { ok: false, error: `unknown command: ${command || "(none)"}` } };
  }
}
