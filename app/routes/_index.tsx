import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { listTenants } from "~/data/tenants.server";
import { platformTodos } from "~/data/todo/platform.server";
import { getUser } from "~/auth.server";
import { TodoList } from "~/components/todo-list";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const [tenants, user] = await Promise.all([listTenants(), getUser(request)]);
  // The platform administrator's home: what waits in each jurisdiction.
  const todos = user?.platformAdmin ? await platformTodos({ user }) : null;
  return {
    tenants: tenants.map((t) => ({ slug: t.slug, name: locale === "en" ? t.name.en : t.name.zh })),
    todos:
      todos?.map((tt) => ({
        slug: tt.slug,
        name: locale === "en" ? tt.name.en : tt.name.zh,
        items: tt.items,
      })) ?? null,
  };
}

export default function Landing() {
  const { tenants, todos } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <AppShell brandHref="/" title={t("app.tagline")} nav={[]} user={null}>
      <section className="mx-auto max-w-3xl py-10 text-center">
        <h1 className="text-3xl font-semibold text-slate-900">{t("landing.title")}</h1>
        <p className="mt-3 text-slate-600">{t("landing.intro")}</p>
        <p className="mt-6">
          <Link to="/verify" className="btn-secondary" data-testid="landing-verify">
            {t("landing.verify")}
          </Link>
          <Link
            to="/credit-registry"
            className="btn-secondary ml-2"
            data-testid="landing-credit-registry"
          >
            {t("creditPublic.registry.link")}
          </Link>
        </p>
      </section>
      {todos ? (
        <section
          className="mx-auto mb-8 max-w-3xl"
          data-testid="platform-todos"
          aria-labelledby="platform-todo-heading"
        >
          <h2 id="platform-todo-heading" className="mb-3 text-lg font-medium">
            {t("todo.platform.title")}
          </h2>
          {todos.map((tt) => (
            <div key={tt.slug} className="mb-4" data-tenant-todos={tt.slug}>
              <h3 className="mb-2 font-medium">
                <Link to={`/t/${tt.slug}`} className="text-brand-700 hover:underline">
                  {t("todo.platform.tenant", { tenant: tt.name })}
                </Link>
              </h3>
              <TodoList items={tt.items} testId={`todo-list-${tt.slug}`} />
            </div>
          ))}
        </section>
      ) : null}
      <section className="mx-auto max-w-3xl">
        <h2 className="mb-3 text-lg font-medium">{t("landing.tenants")}</h2>
        {tenants.length === 0 ? (
          <p className="text-slate-500">{t("landing.noTenants")}</p>
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2">
            {tenants.map((tenant) => (
              <li key={tenant.slug}>
                <Link
                  to={`/t/${tenant.slug}`}
                  className="card block hover:border-brand-200 hover:shadow"
                  data-tenant={tenant.slug}
                >
                  <span className="font-medium">{tenant.name}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </AppShell>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
