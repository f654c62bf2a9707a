import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { AppEnv } from "../server/deps.ts";

export interface RunningServer {
  port: number;
  close: () => Promise<void>;
}

export function listen(app: Hono<AppEnv>, port: number, hostname: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            // Stop accepting, let requests in flight finish, drop idle keep-alive sockets.
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    }) as Server;
    server.once("error", reject);
  });
}
