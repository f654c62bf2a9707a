// A TCP proxy in front of a real server (Postgres, Redis) that a test can make
// misbehave the way networks and servers do: hang (connections stay open, bytes
// go nowhere, new connections are accepted and never answered) or stop (every
// connection closed, new ones refused). Stop it when the test ends (onTestFinished).
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  /** the proxy's port on 127.0.0.1 */
  port: number;
  /** `url` with its host and port replaced by the proxy's */
  urlFor(url: string): string;
  /** from now on nothing passes either way, and nothing is closed */
  hang(): void;
  /** closes every connection and refuses new ones (again: nothing) */
  stop(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: "forward" | "hang" | "stopped" = "forward";
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  };
  const server = createServer((client) => {
    track(client);
    if (mode === "stopped") {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.on("data", (d) => {
      if (mode === "forward") upstream.write(d);
    });
    upstream.on("data", (d) => {
      if (mode === "forward") client.write(d);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => {
      if (mode !== "hang") client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const stop = async () => {
    if (mode === "stopped") return;
    mode = "stopped";
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    urlFor(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    hang() {
      mode = "hang";
    },
    stop,
  };
}
