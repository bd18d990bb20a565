import { createHash } from "node:crypto";

/**
 * A public JSON answer with an ETag (decision 029): the tag is a hash of the body, so a client
 * that sends it back in If-None-Match gets `304 Not Modified` without the body. `Cache-Control:
 * no-cache` keeps every use revalidated, so a revocation is never served from a cache.
 */
export function jsonWithEtag(request: Request, body: unknown, headers: Record<string, string>): Response {
  const text = JSON.stringify(body);
  const etag = `"${createHash("sha1").update(text).digest("base64url")}"`;
  const out = { ...headers, ETag: etag, "Cache-Control": "public, no-cache", Vary: "Cookie, Accept-Language" };
  const sent = request.headers.get("If-None-Match") ?? "";
  if (sent.split(",").some((t) => t.trim().replace(/^W\//, "") === etag || t.trim() === "*"))
    return new Response(null, { status: 304, headers: out });
  return new Response(text, { status: 200, headers: out });
}
