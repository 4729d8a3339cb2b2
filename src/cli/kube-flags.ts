import { Flags } from '@oclif/core';

/** The flags every command that talks to a cluster shares, named as kubectl names them. */
export const kubeFlags = {
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
  }),
  manifests: Flags.string({
    helpGroup: 'CLUSTER',
    description: 'Apply these rendered manifests (a multi-document YAML file) instead of rendering the spec',
  }),
  name: Flags.string({
    helpGroup: 'CLUSTER',
    description: "The model's name (default: from the spec, or the Deployment in --manifests)",
  }),
};
