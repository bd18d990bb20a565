import { AsyncLocalStorage } from "node:async_hooks";

/**
 * One HTTP request's memo (decision 010). Remix hands every loader of a request its own copy of
 * the Request (server-runtime's callRouteLoader strips `index`/`_routes` into a new Request), so the
 * request object cannot key a memo; the HTTP server runs each request inside this scope instead,
 * and the tenant layout loader and the page loader share one resolution of tenant, session, user
 * and access. Only GET/HEAD requests memoise: a POST runs an action that may change what a later
 * loader of the same request must see. Without a scope (loaders called directly in tests) nothing
 * is memoised. The AsyncLocalStorage lives on globalThis so the server script and the app bundle,
 * two copies of this module, share it.
 */
type Scope = { memo: Map<string, Promise<unknown>> | null };

const KEY = Symbol.for("safegrade.request-scope");
const holder = globalThis as typeof globalThis & { [KEY]?: AsyncLocalStorage<Scope> };
const storage = (holder[KEY] ??= new AsyncLocalStorage<Scope>());

export function runInRequestScope<T>(method: string, fn: () => T): T {
  const memo = method === "GET" || method === "HEAD" ? new Map<string, Promise<unknown>>() : null;
  return storage.run({ memo }, fn);
}

/** `compute()` once per key within the current GET request; every call outside a scope computes. */
export function oncePerRequest<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const memo = storage.getStore()?.memo;
  if (!memo) return compute();
  const known = memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const pending = compute();
  memo.set(key, pending);
  return pending;
}
