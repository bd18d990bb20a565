/** The request's CSP nonce, provided by app/entry.server.tsx; empty in the browser (browsers hide it). */
import { createContext, useContext } from "react";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** Set per request by the HTTP server (scripts/lib/request-guard.ts). */
    cspNonce?: string;
  }
}

const NonceContext = createContext<string | undefined>(undefined);
export const NonceProvider = NonceContext.Provider;

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
