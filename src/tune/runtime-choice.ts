/**
 * Which runtime tune's metric and axis choice is for, when `--runtime` does not say: the protocol spoken
 * implies it (an OpenAI-compatible server is an LLM server: concurrency; kserve-v2 gets its preset), and a
 * spec's runtime stands when it speaks that protocol (vllm speaks openai, so it stays vllm). Pure.
 */
const SPEAKS: Record<string, readonly string[]> = {
  openai: ['vllm', 'tgi', 'openai'],
  'kserve-v2': ['triton', 'kserve-v2', 'torchserve'],
  http: ['http', 'torchserve'],
};

/** The runtime each protocol implies when nothing more specific is known. */
const IMPLIED: Record<string, string> = { openai: 'openai', 'kserve-v2': 'kserve-v2', http: 'http' };

export interface RuntimeChoice {
  runtime: string;
  /** Why, for the notes: which flag or spec field decided it. */
  from: 'flag' | 'spec' | 'protocol' | 'default';
}

export function chooseRuntime(input: { flagRuntime?: string | undefined; protocol?: string | undefined; specRuntime?: string | undefined }): RuntimeChoice {
  if (input.flagRuntime) return { runtime: input.flagRuntime, from: 'flag' };
  const protocol = input.protocol;
  if (input.specRuntime && (!protocol || (SPEAKS[protocol] ?? []).includes(input.specRuntime))) return { runtime: input.specRuntime, from: 'spec' };
  if (protocol && IMPLIED[protocol]) return { runtime: IMPLIED[protocol]!, from: 'protocol' };
  return { runtime: input.specRuntime ?? 'http', from: input.specRuntime ? 'spec' : 'default' };
}
