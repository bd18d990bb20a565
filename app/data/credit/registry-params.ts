/**
 * The public credit registry's parameters (page, JSON API, CSV): parsing with one error per bad
 * value, and the filters as a query string. Pure (no database).
 */
import type { MessageKey } from "~/i18n";
import { CREDIT_CONDITION_KEYS, CREDIT_LIST_TYPES, type CreditListType } from "~/lib/credit";

export const REGISTRY_PAGE_SIZE = 20;
export const REGISTRY_MAX_PAGE_SIZE = 100;
export const REGISTRY_MAX_PAGE = 100_000;
export const REGISTRY_Q_MAX = 100;
export const REGISTRY_CSV_MAX_ROWS = 10_000;
export const REGISTRY_MIN_YEAR = 2000;
export const REGISTRY_MAX_YEAR = 2100;

// ---------------------------------------------------------------------------------------------
// Parameters

export type RegistryQuery = {
  q: string;
  /** Tenant slug (only the cross-tenant registry and the API take it). */
  tenant: string;
  condition: string;
  year: number | null;
  listType: CreditListType | "";
  page: number;
  pageSize: number;
};

export type RegistryParamError = {
  field: "q" | "tenant" | "condition" | "year" | "listType" | "page" | "pageSize";
  /** Stable machine code for the JSON API. */
  code: string;
  key: MessageKey;
  params?: Record<string, string | number>;
};

const INT = /^\d{1,9}$/;

/**
 * Reads the registry parameters. Every invalid value is reported and replaced by its default, so
 * the HTML pages can ignore `errors` (like the certificate registry) and the API can refuse them.
 */
export function parseRegistryQuery(
  search: URLSearchParams,
  options: { pageSize?: boolean } = {},
): { value: RegistryQuery; errors: RegistryParamError[] } {
  const errors: RegistryParamError[] = [];
  const value: RegistryQuery = {
    q: "",
    tenant: "",
    condition: "",
    year: null,
    listType: "",
    page: 1,
    pageSize: REGISTRY_PAGE_SIZE,
  };
  const q = (search.get("q") ?? "").trim();
  if (q.length > REGISTRY_Q_MAX)
    errors.push({ field: "q", code: "Q_TOO_LONG", key: "creditPublic.error.qTooLong", params: { max: REGISTRY_Q_MAX } });
  else value.q = q;

  const tenant = (search.get("tenant") ?? "").trim();
  if (tenant && !/^[a-z0-9][a-z0-9-]{1,39}$/.test(tenant))
    errors.push({ field: "tenant", code: "UNKNOWN_TENANT", key: "creditPublic.error.unknownTenant" });
  else value.tenant = tenant;

  const condition = (search.get("condition") ?? "").trim();
  if (condition && !CREDIT_CONDITION_KEYS.includes(condition))
    errors.push({ field: "condition", code: "UNKNOWN_CONDITION", key: "creditPublic.error.unknownCondition" });
  else value.condition = condition;

  const year = (search.get("year") ?? "").trim();
  if (year) {
    const n = /^\d{4}$/.test(year) ? Number(year) : NaN;
    if (!(n >= REGISTRY_MIN_YEAR && n <= REGISTRY_MAX_YEAR))
      errors.push({
        field: "year",
        code: "INVALID_YEAR",
        key: "creditPublic.error.invalidYear",
        params: { min: REGISTRY_MIN_YEAR, max: REGISTRY_MAX_YEAR },
      });
    else value.year = n;
  }

  const listType = (search.get("listType") ?? "").trim();
  if (listType && !(CREDIT_LIST_TYPES as readonly string[]).includes(listType))
    errors.push({ field: "listType", code: "UNKNOWN_LIST_TYPE", key: "creditPublic.error.unknownListType" });
  else value.listType = listType as CreditListType | "";

  const page = (search.get("page") ?? "").trim();
  if (page) {
    const n = INT.test(page) ? Number(page) : NaN;
    if (!(n >= 1 && n <= REGISTRY_MAX_PAGE))
      errors.push({
        field: "page",
        code: "INVALID_PAGE",
        key: "creditPublic.error.invalidPage",
        params: { max: REGISTRY_MAX_PAGE },
      });
    else value.page = n;
  }

  if (options.pageSize) {
    const size = (search.get("pageSize") ?? "").trim();
    if (size) {
      const n = INT.test(size) ? Number(size) : NaN;
      if (!(n >= 1 && n <= REGISTRY_MAX_PAGE_SIZE))
        errors.push({
          field: "pageSize",
          code: "INVALID_PAGE_SIZE",
          key: "creditPublic.error.invalidPageSize",
          params: { max: REGISTRY_MAX_PAGE_SIZE },
        });
      else value.pageSize = n;
    }
  }
  return { value, errors };
}

/** The filters as a query string (CSV link, JSON link), empty values and the page left out. */
export function registryQueryString(q: RegistryQuery, withTenant: boolean): string {
  const params = new URLSearchParams();
  if (q.q) params.set("q", q.q);
  if (withTenant && q.tenant) params.set("tenant", q.tenant);
  if (q.condition) params.set("condition", q.condition);
  if (q.year) params.set("year", String(q.year));
  if (q.listType) params.set("listType", q.listType);
  return params.toString();
}
