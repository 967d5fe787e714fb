import { connect, createServer, type Socket } from "node:net";

/**
 * A loopback TCP proxy in front of a real service, so a test can take the service away
 * mid-test without touching the shared instance: `cut` closes every connection and refuses
 * new ones (a stopped server); `blackhole` keeps connections open but forwards nothing
 * (a partition); `restore` forwards again.
 */
export interface TcpProxy {
  port: number;
  url(scheme: string, path?: string): string;
  cut(): void;
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let state: "open" | "cut" | "blackhole" = "open";
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    if (state === "cut") {
      client.destroy();
      return;
    }
    const upstream = connect(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on("data", (chunk) => {
        if (state === "open") to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: (scheme, path = "") => `${scheme}://127.0.0.1:${port}${path}`,
    cut: () => {
      state = "cut";
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    blackhole: () => {
      state = "blackhole";
    },
    restore: () => {
      state = "open";
    },
    close: async () => {
      state = "cut";
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
