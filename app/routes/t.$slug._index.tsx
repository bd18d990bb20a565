import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { TodoList } from "~/components/todo-list";
import { collectTodos } from "~/data/todo/index.server";
import type { MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { visibleNav } from "~/lib/navigation";
import { getLocale } from "~/locale.server";
import { optionalMember, tenantName } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await optionalMember(request, params);
  const locale = await getLocale(request);
  const name = tenantName(tenant, locale);
  if (!member) return { kind: "public" as const, slug: tenant.slug, tenantName: name };
  const todos = await collectTodos({ tenant, member, now: new Date(), base: `/t/${tenant.slug}` });
  return {
    todos,
    kind: "member" as const,
    slug: tenant.slug,
    tenantName: name,
    userName: member.user.name,
    roles: member.roles.map((r): MessageKey => `role.${r}`),
    links: visibleNav(
      member.permissions,
      member.enterpriseId ? String(member.enterpriseId) : null,
    ).filter((l) => l.key !== "home"),
  };
}

export default function TenantHome() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const base = `/t/${d.slug}`;
  if (d.kind === "public") {
    return (
      <section className="mx-auto max-w-3xl py-10 text-center">
        <h1 className="text-3xl font-semibold text-slate-900">
          {t("home.publicTitle", { tenant: d.tenantName })}
        </h1>
        <p className="mt-3 text-slate-600">{t("home.publicIntro")}</p>
        <div className="mt-8 flex justify-center gap-3">
          <Link to={`${base}/login`} className="btn-primary">
            {t("home.loginCta")}
          </Link>
          <Link to={`${base}/register`} className="btn-secondary">
            {t("home.registerCta")}
          </Link>
        </div>
        <p className="mt-6 text-sm">
          <Link to={`${base}/criteria`} className="text-brand-700 hover:underline">
            {t("rubric.public.homeLink")}
          </Link>
          <span className="mx-2 text-slate-300" aria-hidden>
            ·
          </span>
          <Link to={`${base}/notices`} className="text-brand-700 hover:underline">
            {t("workflow.notice.link")}
          </Link>
          <span className="mx-2 text-slate-300" aria-hidden>
            ·
          </span>
          <Link to={`${base}/registry`} className="text-brand-700 hover:underline">
            {t("certificate.registry.title")}
          </Link>
          <span className="mx-2 text-slate-300" aria-hidden>
            ·
          </span>
          <Link
            to={`${base}/credit-registry`}
            className="text-brand-700 hover:underline"
            data-testid="home-credit-registry"
          >
            {t("creditPublic.registry.link")}
          </Link>
          <span className="mx-2 text-slate-300" aria-hidden>
            ·
          </span>
          <Link to="/verify" className="text-brand-700 hover:underline">
            {t("landing.verify")}
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1 className="page-title" data-testid="welcome">
        {t("home.welcome", { name: d.userName })}
      </h1>
      <p className="text-slate-600" data-testid="roles">
        {t("home.roleIn", { tenant: d.tenantName, roles: d.roles.map((r) => t(r)).join("、") })}
      </p>
      <h2 className="mt-6 text-lg font-medium" id="todo-heading">
        {t("todo.title")}
      </h2>
      <div className="mt-3" aria-labelledby="todo-heading">
        <TodoList items={d.todos} />
      </div>
      {d.links.some((l) => l.key === "dashboard") ? (
        <Link
          to={`${base}/dashboard`}
          className="card mt-6 block border-brand-200 bg-brand-50 hover:shadow"
          data-testid="home-dashboard"
        >
          <span className="text-lg font-semibold text-brand-900">{t("dashboard.home.title")}</span>
          <span className="mt-1 block text-sm text-slate-600">{t("dashboard.home.intro")}</span>
        </Link>
      ) : null}
      <h2 className="mt-8 text-lg font-medium">{t("home.quickLinks")}</h2>
      <ul className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {d.links.map((l) => (
          <li key={l.key}>
            <Link
              to={`${base}${l.path}`}
              className="card block hover:border-brand-200 hover:shadow"
            >
              {t(l.label)}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
