/**
 * The warm-up every measuring command runs before its first counted second (connections opened, caches
 * and JITs warm, a backlog from a cold start worked off), so `mdl loadtest` at tune's answer and tune's own
 * steps measure the same thing. One value for both; `--warmup 0` disables it in loadtest.
 */
export const DEFAULT_WARMUP_MS = 1000;
