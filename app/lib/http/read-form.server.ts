/**
 * The one way form actions read their body. Anything that is not a form (JSON, text/plain, no
 * type) → 415; more bytes than allowed (counted while streaming, so chunked bodies too) → 413;
 * a body the form parser cannot read (truncated multipart, broken boundary) → 400. Each refusal
 * is a thrown JSON Response with a translated message, so the action changes nothing.
 */
import { translate, type MessageKey, type MessageParams } from "~/i18n";
import { formatBytes } from "~/lib/evidence";
import { getLocale } from "~/locale.server";

/** Plain forms are small; the largest (the rubric editor's JSON field) stays well below this. */
export const FORM_MAX_BYTES = 2 * 1024 * 1024;

const FORM_TYPES: ReadonlySet<string> = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

export function mediaType(request: Request): string {
  return (request.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export async function refusal(request: Request, status: number, key: MessageKey, params?: MessageParams): Promise<Response> {
  const locale = await getLocale(request);
  return new Response(JSON.stringify({ ok: false, error: translate(locale, key, params) }), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`request body over ${maxBytes} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** The same request with a body that fails with BodyTooLargeError once more than maxBytes arrive. */
export function limitBody(request: Request, maxBytes: number): Request {
  if (!request.body) return request;
  let seen = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(new BodyTooLargeError(maxBytes));
      else controller.enqueue(chunk);
    },
  });
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body.pipeThrough(counter),
    signal: request.signal,
    duplex: "half",
  } as RequestInit);
}

function declaredLength(request: Request): number {
  const value = Number(request.headers.get("Content-Length"));
  return Number.isFinite(value) ? value : 0;
}

/** Maps an error from reading a body to its refusal (413 for the byte limit, 400 otherwise). */
export async function bodyRefusal(request: Request, error: unknown, maxBytes: number): Promise<Response> {
  if (error instanceof Response) return error;
  if (error instanceof BodyTooLargeError || declaredLength(request) > maxBytes)
    return refusal(request, 413, "security.bodyTooLarge", { max: formatBytes(maxBytes) });
  return refusal(request, 400, "security.malformedBody");
}

/** Refuses a request whose body is not a form (415) or whose declared length is over the limit (413). */
export async function assertFormRequest(request: Request, maxBytes: number): Promise<void> {
  if (!FORM_TYPES.has(mediaType(request))) throw await refusal(request, 415, "security.unsupportedMediaType");
  if (declaredLength(request) > maxBytes)
    throw await refusal(request, 413, "security.bodyTooLarge", { max: formatBytes(maxBytes) });
}

export async function readForm(request: Request, options: { maxBytes?: number } = {}): Promise<FormData> {
  const maxBytes = options.maxBytes ?? FORM_MAX_BYTES;
  await assertFormRequest(request, maxBytes);
  try {
    return await limitBody(request, maxBytes).formData();
  } catch (error) {
    throw await bodyRefusal(request, error, maxBytes);
  }
}
