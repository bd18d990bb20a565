/**
 * The grading workflow as the machine defines it: every state and every transition with the roles
 * that may trigger it, and the diagram drawn as SVG on the server from the same definition (issue 17:
 * a picture, not Mermaid source). Read from the machine at request time, so the page can never
 * drift from the code.
 */
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import type { AnyStateNode } from "xstate";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { StateDiagram } from "~/components/state-diagram";
import { eventLabel, roleLabel, stateLabel } from "~/components/workflow-ui";
import { guardLabel } from "~/lib/labels";
import { layoutGraph, type GraphLayout } from "~/lib/layered-graph";
import { makeTranslator, translate, type Translator } from "~/i18n";
import { useT } from "~/i18n/react";
import { setOrganizerEnabled } from "~/data/grading.server";
import { readForm } from "~/lib/http/read-form.server";
import { can } from "~/lib/permissions";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import {
  EVENT_ROLES,
  GRADING_EVENT_TYPES,
  GRADING_MACHINE_VERSION,
  gradingMachine,
  toMermaid,
  type GradingEventType,
  guardName,
} from "~/workflows/grading.machine";

type StateRow = { key: string; depth: number; final: boolean };
type TransitionRow = {
  from: string;
  to: string;
  event: string;
  guard: string | null;
  roles: string[];
};

function isEventType(type: string): type is GradingEventType {
  return GRADING_EVENT_TYPES.some((t) => t === type);
}

function describeMachine(): { states: StateRow[]; transitions: TransitionRow[] } {
  const states: StateRow[] = [];
  const transitions: TransitionRow[] = [];
  const walk = (node: AnyStateNode, depth: number) => {
    for (const child of Object.values<AnyStateNode>(node.states)) {
      const key = child.path.join(".");
      states.push({ key, depth, final: child.type === "final" });
      for (const [event, defs] of child.transitions) {
        for (const def of defs) {
          for (const target of def.target ?? [child]) {
            transitions.push({
              from: key,
              to: target.path.join("."),
              event,
              guard: defs.length > 1 ? guardName(def.guard) : null,
              roles: isEventType(event) ? [...EVENT_ROLES[event]] : [],
            });
          }
        }
      }
      walk(child, depth + 1);
    }
  };
  walk(gradingMachine.root, 0);
  return { states, transitions };
}

/** Leaf states are the diagram's boxes; a transition on a compound state starts or ends at its initial leaf. */
function diagramOf(t: Translator, states: StateRow[], transitions: TransitionRow[]): GraphLayout {
  const leaves = states.filter((s) => !states.some((o) => o.key.startsWith(`${s.key}.`)));
  const leafOf = (key: string) => leaves.find((l) => l.key === key || l.key.startsWith(`${key}.`))?.key ?? key;
  const nodes = leaves.map((s) => ({ id: s.key, label: stateLabel(t, s.key), final: s.final }));
  const edges = transitions.map((tr) => ({
    from: leafOf(tr.from),
    to: leafOf(tr.to),
    label: tr.guard ? `${eventLabel(t, tr.event)}（${guardLabel(t, tr.guard)}）` : eventLabel(t, tr.event),
  }));
  return layoutGraph(nodes, edges, leafOf(String(gradingMachine.config.initial ?? "draft")));
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "manage:settings:any",
    "accept:application:any",
  );
  const locale = await getLocale(request);
  const machine = describeMachine();
  return {
    locale,
    organizerEnabled: tenant.settings.organizerEnabled === true,
    canManage: can(member.permissions, "manage:settings:any"),
    version: GRADING_MACHINE_VERSION,
    mermaid: toMermaid(gradingMachine),
    diagram: diagramOf(makeTranslator(locale), machine.states, machine.transitions),
    ...machine,
  };
}

/** The tenant administrator turns the organizing unit (组织单位) on or off (decision 021). */
export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:settings:any");
  const form = await readForm(request);
  if (form.get("intent") !== "organizer") {
    return data({ ok: false, error: "errors.invalidChoice" }, { status: 400 });
  }
  await setOrganizerEnabled({
    tenantId: tenant._id,
    enabled: form.get("organizerEnabled") === "true",
    actor: { id: member.user._id, email: member.user.email },
  });
  return data({ ok: true, error: null });
}

export default function WorkflowDiagram() {
  const { version, diagram, states, transitions, organizerEnabled, canManage } =
    useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section className="space-y-6">
      <div>
        <h1 className="page-title mb-1">{t("workflow.diagram.title")}</h1>
        <p className="text-sm text-slate-600">{t("workflow.diagram.intro")}</p>
        <p className="text-xs text-slate-500">{t("workflow.diagram.version", { version })}</p>
      </div>
      {canManage ? (
        <Form method="post" className="card flex flex-wrap items-center gap-3" data-testid="organizer-setting">
          <input type="hidden" name="intent" value="organizer" />
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="organizerEnabled"
              value="true"
              defaultChecked={organizerEnabled}
            />
            {t("checks.settings.organizerEnabled")}
          </label>
          <button type="submit" className="btn-secondary">
            {t("common.save")}
          </button>
        </Form>
      ) : null}
      <figure className="card overflow-x-auto">
        <StateDiagram layout={diagram} title={t("workflow.diagram.title")} />
        <figcaption className="mt-2 text-xs text-slate-500">{t("labels.diagramCaption")}</figcaption>
      </figure>
      <div className="grid gap-6 lg:grid-cols-[16rem_minmax(0,1fr)]">
        <div className="card">
          <h2 className="mb-2 text-lg font-medium">{t("workflow.diagram.states")}</h2>
          <ul className="space-y-1 text-sm" data-testid="workflow-states">
            {states.map((s) => (
              <li key={s.key} style={{ paddingLeft: `${s.depth * 1.25}rem` }} data-state={s.key}>
                {stateLabel(t, s.key)}
                {s.final ? (
                  <span className="badge ml-1 bg-slate-100 text-slate-600">
                    {t("workflow.diagram.final")}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
        <div className="card overflow-x-auto p-0">
          <h2 className="px-4 pt-4 text-lg font-medium">{t("workflow.diagram.transitions")}</h2>
          <table className="table" data-testid="workflow-transitions">
            <thead>
              <tr>
                <th scope="col">{t("workflow.diagram.from")}</th>
                <th scope="col">{t("workflow.diagram.event")}</th>
                <th scope="col">{t("workflow.diagram.to")}</th>
                <th scope="col">{t("workflow.diagram.roles")}</th>
              </tr>
            </thead>
            <tbody>
              {transitions.map((tr, i) => (
                <tr key={`${tr.from}-${tr.event}-${tr.to}-${i}`}>
                  <td>{stateLabel(t, tr.from)}</td>
                  <td>
                    {eventLabel(t, tr.event)}
                    {tr.guard ? (
                      <span className="ml-1 text-xs text-slate-500">（{guardLabel(t, tr.guard)}）</span>
                    ) : null}
                  </td>
                  <td>{stateLabel(t, tr.to)}</td>
                  <td className="text-xs">{tr.roles.map((r) => roleLabel(t, r)).join("、")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "workflow.diagram.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
