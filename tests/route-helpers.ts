/** Calls Remix loaders and actions directly with real Requests, and unwraps what they return or throw. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

export type RouteResult = { status: number; headers: Headers; data: unknown; location: string | null };

type DataWithInit = { type: "DataWithResponseInit"; data: unknown; init: ResponseInit | null };
function isDataWithInit(value: unknown): value is DataWithInit {
  return typeof value === "object" && value !== null && "type" in value && value.type === "DataWithResponseInit";
}

async function unwrap(value: unknown): Promise<RouteResult> {
  if (value instanceof Response) {
    const text = await value.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // plain text body
    }
    return { status: value.status, headers: value.headers, data, location: value.headers.get("Location") };
  }
  if (isDataWithInit(value)) {
    const headers = new Headers(value.init?.headers);
    return { status: value.init?.status ?? 200, headers, data: value.data, location: headers.get("Location") };
  }
  return { status: 200, headers: new Headers(), data: value, location: null };
}

export type FormFields = Record<string, string | readonly string[]>;

export function makeRequest(
  url: string,
  options: { method?: string; cookie?: string; form?: FormFields; headers?: Record<string, string> } = {},
): Request {
  const headers = new Headers(options.headers);
  if (options.cookie) headers.set("Cookie", options.cookie);
  if (!headers.has("x-sg-client-ip")) headers.set("x-sg-client-ip", "127.0.0.1");
  const init: RequestInit = { method: options.method ?? (options.form ? "POST" : "GET"), headers };
  if (options.form) {
    // A list posts one field per value, like a checkbox group.
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(options.form))
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    init.body = body;
  }
  return new Request(new URL(url, "http://localhost:3000"), init);
}

type Handler<A> = (args: A) => unknown;

export async function callLoader(
  loader: Handler<LoaderFunctionArgs>,
  url: string,
  params: Record<string, string>,
  options: { cookie?: string } = {},
): Promise<RouteResult> {
  try {
    return await unwrap(await loader({ request: makeRequest(url, options), params, context: {} }));
  } catch (thrown) {
    return unwrap(thrown);
  }
}

export async function callAction(
  action: Handler<ActionFunctionArgs>,
  url: string,
  params: Record<string, string>,
  options: { cookie?: string; form?: FormFields; headers?: Record<string, string> } = {},
): Promise<RouteResult> {
  try {
    return await unwrap(await action({ request: makeRequest(url, { ...options, form: options.form ?? {} }), params, context: {} }));
  } catch (thrown) {
    return unwrap(thrown);
  }
}
