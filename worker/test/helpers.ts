// Test helpers: API keys in the test D1, and calling the Worker with an
// environment whose queue records what it was sent (around the real binding).
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { generateKey, hashKey, type Scope } from "../src/auth/keys";
import worker from "../src/index";

/** Inserts a key for `tenant` with `scopes` and returns the secret. */
export async function createTestKey(tenant: string, scopes: Scope[] = ["read", "write"]): Promise<string> {
  const { id, key } = generateKey();
  await env.DB.prepare("INSERT INTO api_keys (id, tenant, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)")
    .bind(id, tenant, "test", await hashKey(key), scopes.join(","), Date.now())
    .run();
  return key;
}

/** A message body as sent to a queue. */
export type Sent = { body: unknown };

/** Wraps the real ingest queue so a test can see what was enqueued; `fail` makes sendBatch throw. */
export function recordingQueue(opts: { fail?: boolean } = {}): { queue: Queue; sent: Sent[] } {
  const sent: Sent[] = [];
  const real = env.INGEST_QUEUE;
  const queue = {
    send: async (body: unknown, o?: QueueSendOptions) => {
      if (opts.fail) throw new Error("queue unavailable (injected)");
      sent.push({ body });
      return real.send(body, o);
    },
    sendBatch: async (msgs: Iterable<MessageSendRequest>, o?: QueueSendBatchOptions) => {
      if (opts.fail) throw new Error("queue unavailable (injected)");
      const list = [...msgs];
      for (const m of list) sent.push({ body: m.body });
      return real.sendBatch(list, o);
    },
  } as unknown as Queue;
  return { queue, sent };
}

/** Calls the Worker's fetch handler with `overrides` on top of the test env, and waits for its background work. */
export async function call(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
