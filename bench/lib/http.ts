/**
 * HTTP measurement against the running app: autocannon on loopback with N connections for a
 * bounded time, p50/p95 from every response's own latency, and the size of the HTML document.
 */
import autocannon from "autocannon";
import { quantile } from "./stats";

export type HttpMeasure = { rps: number; p50: number; p95: number; requests: number; htmlBytes: number };

export type MeasureOptions = {
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** Each request from its own client address (X-Forwarded-For; the app runs with TRUST_PROXY), so per-IP rate limits never trip. */
  rotateClientIp?: boolean;
  /** Paths (relative to the origin of `url`) requested in turn instead of `url` itself. */
  paths?: string[];
};

/** Signs in through the real login route and returns the session cookie (`name=value`). */
export async function loginCookie(baseUrl: string, slug: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/t/${slug}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password, redirectTo: `/t/${slug}` }),
    headers: { "x-forwarded-for": "10.255.0.1" },
    redirect: "manual",
  });
  const cookie = res.headers.get("set-cookie");
  if (res.status !== 302 || !cookie) throw new Error(`login of ${email} failed with ${res.status}`);
  return cookie.split(";")[0] ?? "";
}

/** Bytes of the (uncompressed) document the server sends for `url`; throws unless it is a 200. */
export async function documentBytes(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers: { ...headers, "accept-encoding": "identity", "x-forwarded-for": "10.254.0.1" }, redirect: "manual" });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url}: status ${res.status}`);
  return body.byteLength;
}

export async function measureHttp(url: string, options: MeasureOptions): Promise<HttpMeasure> {
  const htmlBytes = await documentBytes(url, options.headers);
  const origin = new URL(url).origin;
  let n = 0;
  const latencies: number[] = [];
  const paths = options.paths ?? [new URL(url).pathname + new URL(url).search];
  let finish: (result: autocannon.Result) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url: origin,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: options.headers ?? {},
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          n += 1;
          const next = { ...request, path: paths[n % paths.length] ?? "/" };
          if (options.rotateClientIp) next.headers = { ...request.headers, "x-forwarded-for": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
          return next;
        },
      },
    ],
  }, (error, result) => (error ? fail(error) : finish(result)));
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await done;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    requests: result.requests.total,
    htmlBytes,
  };
}
