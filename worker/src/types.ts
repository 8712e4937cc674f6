// Types shared across the Worker's routes and middleware.
import type { Scope } from "./auth/keys";

/** Hono environment: the Worker's bindings plus what middleware sets per request. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    tenant: string;
    scopes: Scope[];
  };
}
