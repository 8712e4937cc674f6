// Global set-up of the workers project: a local HTTP endpoint in Node that
// stands in for the user's Slack webhook. It records every POST; tests read
// them back from GET /received and can make it fail with ?fail=N.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import "./support/provided";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const received: Record<string, unknown[]> = {};
  const failures: Record<string, number> = {};
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const channel = url.pathname.split("/")[2] ?? "default"; // /hook/<channel>
    if (req.method === "GET" && url.pathname.startsWith("/received/")) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(received[url.pathname.split("/")[2] ?? ""] ?? []));
      return;
    }
    if (req.method === "POST" && url.pathname.startsWith("/fail/")) {
      failures[channel] = Number(url.searchParams.get("times") ?? 1);
      res.end("ok");
      return;
    }
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if ((failures[channel] ?? 0) > 0) {
        failures[channel]!--;
        res.statusCode = 503;
        res.end("temporarily unavailable");
        return;
      }
      (received[channel] ??= []).push(JSON.parse(body));
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("webhookBase", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
