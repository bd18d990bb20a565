/**
 * Production HTTP server: Express + the Remix request handler, compression, security headers,
 * long-lived caching for fingerprinted assets, and no per-request console logging.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Server } from "node:http";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import helmet from "helmet";
import { runInRequestScope } from "../../app/request-scope.server";
import { PROJECT_ROOT } from "./database";

export type HttpServerOptions = { port: number; host: string; trustProxy?: boolean };

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const buildPath = path.join(PROJECT_ROOT, "build/index.js");
  const build: ServerBuild = await import(pathToFileURL(buildPath).href);
  const app = express();
  app.disable("x-powered-by");
  if (options.trustProxy) app.set("trust proxy", true);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // Remix injects small inline scripts for hydration data.
          "script-src": ["'self'", "'unsafe-inline'"],
          "img-src": ["'self'", "data:", "blob:"],
          "upgrade-insecure-requests": null,
        },
      },
      crossOriginEmbedderPolicy: false,
      hsts: false,
    }),
  );
  app.use(compression());
  app.use("/build", express.static(path.join(PROJECT_ROOT, "public/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(PROJECT_ROOT, "public"), { maxAge: "1h" }));
  app.use((req, _res, next) => {
    // The client IP the app sees comes from the socket (or the proxy chain when trusted), never from a client header.
    delete req.headers["x-sg-client-ip"];
    req.headers["x-sg-client-ip"] = req.ip ?? req.socket.remoteAddress ?? "unknown";
    next();
  });
  const handle = createRequestHandler({ build, mode: process.env.NODE_ENV });
  // One memo per HTTP request: the layout and page loaders share one tenant/session/user resolution.
  app.all("*", (req, res, next) => runInRequestScope(req.method, () => handle(req, res, next)));

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, () => resolve(s));
    s.on("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const url = `http://${options.host === "0.0.0.0" ? "127.0.0.1" : options.host}:${port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
