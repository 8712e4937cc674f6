// The engine's version, computed by the module itself so that a host can tell
// which build it actually loaded (/health reports it).

/** Semantic version of the engine; bump with any change to an export or a serialised format. */
export const VERSION_MAJOR: u32 = 0;
export const VERSION_MINOR: u32 = 1;
export const VERSION_PATCH: u32 = 0;

/** The version packed as (major << 16) | (minor << 8) | patch. Called once per host at load. */
export function version(): u32 {
  return (VERSION_MAJOR << 16) | (VERSION_MINOR << 8) | VERSION_PATCH;
}

/** 1 for the debug build (assertions on), 0 for release. */
export function is_debug(): i32 {
  return isDefined(ASC_NO_ASSERT) && ASC_NO_ASSERT ? 0 : 1;
}
