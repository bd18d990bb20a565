import { PassThrough } from "node:stream";
import { createElement as h } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { renderToReadableStream } from "react-dom/server.browser";
import { describe, expect, it } from "vitest";

// Chinese text of varying lengths, so that 3-byte characters land on the renderer's 2 KB chunk edges.
const page = h(
  "div",
  null,
  Array.from({ length: 400 }, (_, i) => h("p", { key: i }, `扣分原因${"因".repeat(i % 7)}第${i}项`)),
);

function nulCount(bytes: Uint8Array): number {
  return bytes.filter((b) => b === 0).length;
}

describe("server HTML stream (app/entry.server.tsx)", () => {
  it("the web-stream renderer the app uses never splits a character into NUL bytes", async () => {
    const stream = await renderToReadableStream(page);
    await stream.allReady;
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    expect(nulCount(bytes)).toBe(0);
    expect(new TextDecoder().decode(bytes)).not.toContain("\uFFFD");
    expect(new TextDecoder().decode(bytes)).toContain("扣分原因因因第2项");
  });

  it("the same page through React 18.3.1's Node renderer carries NUL bytes (react#31134, why it is not used)", async () => {
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const { pipe } = renderToPipeableStream(page, {
        onAllReady() {
          const sink = new PassThrough();
          const parts: Buffer[] = [];
          sink.on("data", (chunk: Buffer) => parts.push(chunk));
          sink.on("end", () => resolve(Buffer.concat(parts)));
          pipe(sink);
        },
        onError: reject,
      });
    });
    expect(nulCount(bytes)).toBeGreaterThan(0);
  });
});
