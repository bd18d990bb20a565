/**
 * The public credit registry's page body (search form, table on wide screens, cards on phones,
 * pagination, CSV link) and detail view, shared by `/credit-registry` and `/t/<slug>/credit-registry`.
 */
import { Form, Link } from "@remix-run/react";
import { Pagination } from "~/components/pagination";
import type { MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { CREDIT_CONDITIONS, CREDIT_LIST_TYPES } from "~/lib/credit";
import { formatDate } from "~/lib/datetime";
import { FilterActions, FilterSelect } from "~/components/list-filters";

export type RegistryItemView = {
  id: string;
  tenant: { slug: string; name: { zh: string; en: string } };
  subjectName: string;
  creditCode: string;
  subjectType: string;
  responsiblePerson: { name: string; idNumberMasked: string };
  listType: string;
  conditionKey: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  authority: string;
  listedAt: string | null;
  endsAt: string | null;
};

export type RegistryPageData = {
  kind: "ok";
  /** Base path of the registry: `/credit-registry` or `/t/<slug>/credit-registry`. */
  base: string;
  title: string;
  intro: string;
  filters: { q: string; tenant: string; condition: string; year: string; listType: string };
  tenants: Array<{ slug: string; name: string }> | null;
  years: number[];
  csvQuery: string;
  csvMax: number;
  items: RegistryItemView[];
  total: number;
  page: number;
  pageSize: number;
  /** The text search read only part of its matches (a very common word). */
  truncated: boolean;
};

export function RateLimited({ minutes }: { minutes: number }) {
  const t = useT();
  return (
    <div className="card space-y-3 text-center" data-testid="registry-rate-limited" role="alert">
      <h1 className="text-2xl font-semibold text-slate-900">
        {t("creditPublic.registry.rateLimitedTitle")}
      </h1>
      <p className="text-slate-600">{t("creditPublic.registry.rateLimited", { minutes })}</p>
    </div>
  );
}

function tenantLabel(name: { zh: string; en: string }, locale: string) {
  return locale === "en" ? name.en || name.zh : name.zh;
}

export function CreditRegistryPage({ d }: { d: RegistryPageData }) {
  const t = useT();
  const locale = useLocale();
  const f = d.filters;
  const condLabel = (key: string) => t(`credit.condition.${key}` as MessageKey);
  return (
    <section>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">{d.title}</h1>
        <a
          href={`${d.base}.csv${d.csvQuery ? `?${d.csvQuery}` : ""}`}
          className="btn-secondary"
          data-testid="credit-registry-csv"
          download
        >
          {t("creditPublic.registry.csv")}
        </a>
      </div>
      <p className="mb-1 text-sm text-slate-600">{d.intro}</p>
      <p className="mb-4 text-xs text-slate-500">
        {t("creditPublic.registry.csvNote", { max: d.csvMax })}
      </p>

      <Form
        method="get"
        key={`${f.q}|${f.tenant}|${f.condition}|${f.year}|${f.listType}`}
        className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-6"
        role="search"
      >
        <label className="sm:col-span-2">
          <span className="sr-only">{t("common.search")}</span>
          <input
            type="search"
            name="q"
            defaultValue={f.q}
            placeholder={t("creditPublic.registry.searchPlaceholder")}
            className="input"
            maxLength={100}
            data-testid="credit-registry-q"
          />
        </label>
        {d.tenants ? (
          <FilterSelect
            name="tenant"
            label={t("creditPublic.field.publisher")}
            value={f.tenant}
            allLabel={t("creditPublic.registry.allTenants")}
            options={d.tenants.map((x) => ({ value: String(x.slug), label: x.name }))}
          />
        ) : null}
        <FilterSelect
          name="condition"
          label={t("creditPublic.field.condition")}
          value={f.condition}
          allLabel={t("creditPublic.registry.allConditions")}
          options={CREDIT_CONDITIONS.map((c) => ({
            value: String(c.key),
            label: condLabel(c.key),
          }))}
          className={d.tenants ? "" : "lg:col-span-2"}
        />
        <FilterSelect
          name="year"
          label={t("creditPublic.field.year")}
          value={f.year}
          allLabel={t("creditPublic.registry.allYears")}
          options={d.years.map((y) => ({ value: String(y), label: y }))}
        />
        <FilterSelect
          name="listType"
          label={t("creditPublic.field.listType")}
          value={f.listType}
          allLabel={t("creditPublic.registry.allListTypes")}
          options={CREDIT_LIST_TYPES.map((l) => ({
            value: String(l),
            label: t(`credit.listType.${l}`),
          }))}
        />
        <FilterActions resetTo={d.base} className="sm:col-span-2 lg:col-span-6" />
      </Form>

      {d.truncated ? (
        <p className="card border-amber-300 bg-amber-50 text-sm text-amber-900" data-testid="credit-registry-truncated" role="status">
          {t("creditPublic.registry.truncated")}
        </p>
      ) : null}
      {d.items.length === 0 ? (
        <p className="card py-8 text-center text-slate-500" data-testid="credit-registry-empty">
          {t("creditPublic.registry.empty")}
        </p>
      ) : (
        <>
          <div className="card hidden overflow-x-auto p-0 md:block">
            <table className="table" data-testid="credit-registry-table">
              <thead>
                <tr>
                  <th scope="col">{t("creditPublic.field.subjectName")}</th>
                  <th scope="col">{t("creditPublic.field.creditCode")}</th>
                  <th scope="col">{t("creditPublic.field.condition")}</th>
                  <th scope="col">{t("creditPublic.field.listedAt")}</th>
                  <th scope="col">{t("creditPublic.field.endsAt")}</th>
                  {d.tenants ? <th scope="col">{t("creditPublic.field.publisher")}</th> : null}
                </tr>
              </thead>
              <tbody>
                {d.items.map((r) => (
                  <tr key={r.id} data-record={r.id}>
                    <td className="font-medium">
                      <Link to={`${d.base}/${r.id}`} className="text-brand-700 hover:underline">
                        {r.subjectName}
                      </Link>
                    </td>
                    <td className="font-mono text-xs">{r.creditCode}</td>
                    <td className="max-w-xs text-sm">{condLabel(r.conditionKey)}</td>
                    <td>{r.listedAt ? formatDate(r.listedAt, locale) : "—"}</td>
                    <td>{r.endsAt ? formatDate(r.endsAt, locale) : "—"}</td>
                    {d.tenants ? <td>{tenantLabel(r.tenant.name, locale)}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul className="space-y-3 md:hidden" data-testid="credit-registry-cards">
            {d.items.map((r) => (
              <li key={r.id} className="card space-y-1">
                <Link
                  to={`${d.base}/${r.id}`}
                  className="font-medium text-brand-700 hover:underline"
                >
                  {r.subjectName}
                </Link>
                <p className="break-all font-mono text-xs text-slate-600">{r.creditCode}</p>
                <p className="text-sm">{condLabel(r.conditionKey)}</p>
                <p className="text-xs text-slate-500">
                  {t("creditPublic.field.listedAt")}:{" "}
                  {r.listedAt ? formatDate(r.listedAt, locale) : "—"} ·{" "}
                  {t("creditPublic.field.endsAt")}: {r.endsAt ? formatDate(r.endsAt, locale) : "—"}
                </p>
                {d.tenants ? (
                  <p className="text-xs text-slate-500">{tenantLabel(r.tenant.name, locale)}</p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
      <Pagination page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
  );
}

export function CreditRecordDetail({ r, back }: { r: RegistryItemView; back: string }) {
  const t = useT();
  const locale = useLocale();
  const rows: Array<[MessageKey, string]> = [
    ["creditPublic.field.subjectName", r.subjectName],
    ["creditPublic.field.creditCode", r.creditCode],
    ["creditPublic.field.subjectType", t(`credit.subjectType.${r.subjectType}` as MessageKey)],
    ["creditPublic.field.responsiblePerson", r.responsiblePerson.name || "—"],
    ["creditPublic.field.idNumber", r.responsiblePerson.idNumberMasked || "—"],
    ["creditPublic.field.listType", t(`credit.listType.${r.listType}` as MessageKey)],
    ["creditPublic.field.condition", t(`credit.condition.${r.conditionKey}` as MessageKey)],
    ["creditPublic.field.legalBasis", r.legalBasis || "—"],
    ["creditPublic.field.penaltyDecisionNo", r.penaltyDecisionNo || "—"],
    ["creditPublic.field.authority", r.authority || "—"],
    ["creditPublic.field.listedAt", r.listedAt ? formatDate(r.listedAt, locale) : "—"],
    ["creditPublic.field.endsAt", r.endsAt ? formatDate(r.endsAt, locale) : "—"],
    ["creditPublic.field.publisher", tenantLabel(r.tenant.name, locale)],
  ];
  return (
    <section className="mx-auto max-w-3xl space-y-4">
      <Link to={back} className="text-sm text-brand-700 hover:underline">
        ← {t("creditPublic.detail.back")}
      </Link>
      <h1 className="page-title">{r.subjectName}</h1>
      <dl
        className="card grid gap-x-6 gap-y-3 sm:grid-cols-[12rem_1fr]"
        data-testid="credit-record-detail"
      >
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-sm text-slate-500">{t(label)}</dt>
            <dd className="break-words">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
