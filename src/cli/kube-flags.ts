import { Flags } from '@oclif/core';
import { checkNamespace, checkObjectName } from './flags.js';

/** The flags every command that talks to a cluster shares, named as kubectl names them. */
export const kubeFlags = {
  kubeconfig: Flags.string({
    helpGroup: 'CLUSTER',
    description: 'Path to the kubeconfig file to use (default: KUBECONFIG, else ~/.kube/config)',
  }),
  context: Flags.string({
    helpGroup: 'CLUSTER',
    env: 'MDL_CONTEXT',
    description: 'Kubeconfig context to use (default: the current context)',
  }),
  namespace: Flags.string({
    char: 'n',
    helpGroup: 'CLUSTER',
    env: 'MDL_NAMESPACE',
    description: "Namespace (default: the context's namespace, else default)",
    parse: async (input) => checkNamespace('--namespace', input),
  }),
  manifests: Flags.string({
    helpGroup: 'CLUSTER',
    description: 'Apply these rendered manifests (a multi-document YAML file) instead of rendering the spec',
  }),
  name: Flags.string({
    helpGroup: 'CLUSTER',
    description: "The model's name (default: from the spec, or the Deployment in --manifests)",
    parse: async (input) => checkObjectName('--name', input),
  }),
};

function withoutEnv<F extends { env?: string }>(flag: F): F {
  const { env: _env, ...rest } = flag;
  return rest as F;
}

/**
 * Where a deployed model runs, for a command that only watches it (loadtest): without the MDL_NAMESPACE /
 * MDL_CONTEXT defaults of the cluster commands, so that it watches a cluster only when asked.
 */
export const kubeWatchFlags = {
  namespace: withoutEnv(kubeFlags.namespace),
  context: withoutEnv(kubeFlags.context),
  kubeconfig: kubeFlags.kubeconfig,
};

/** kubectl's --dry-run values; a bare --dry-run means client (see bare-flags.ts). */
export const DRY_RUN_VALUES = ['none', 'client', 'server'] as const;
export type DryRunValue = (typeof DRY_RUN_VALUES)[number];

/** --dry-run for deploy and delete, and the bare form they accept. */
export function dryRunFlag(what: { client: string; server: string }) {
  return Flags.string({
    options: [...DRY_RUN_VALUES],
    helpGroup: 'CLUSTER',
    description: `client: ${what.client}; server: ${what.server}; none: do it (default). A bare --dry-run means client`,
  });
}
export const dryRunBare = { 'dry-run': { value: 'client', options: DRY_RUN_VALUES } };

/** The dry-run mode of a --dry-run value: undefined for none or unset. */
export function dryRunMode(value: string | undefined): 'client' | 'server' | undefined {
  return value === 'client' || value === 'server' ? value : undefined;
}
