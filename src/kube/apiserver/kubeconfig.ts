// The kubeconfig that kubectl and @kubernetes/client-node use to reach this server: its URL,
// the CA that signed its certificate, and the bearer token.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigParams {
  readonly server: string;
  readonly caCert: string;
  readonly token: string;
  readonly namespace?: string;
}

export const CLUSTER_NAME = 'antrea-local';

export function kubeconfigYaml(p: KubeconfigParams): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: CLUSTER_NAME,
        cluster: {
          server: p.server,
          'certificate-authority-data': Buffer.from(p.caCert).toString('base64'),
        },
      },
    ],
    users: [{ name: `${CLUSTER_NAME}-admin`, user: { token: p.token } }],
    contexts: [
      {
        name: CLUSTER_NAME,
        context: {
          cluster: CLUSTER_NAME,
          user: `${CLUSTER_NAME}-admin`,
          namespace: p.namespace ?? 'default',
        },
      },
    ],
    'current-context': CLUSTER_NAME,
    preferences: {},
  });
}

/** Writes the kubeconfig readable by its owner only: it holds the cluster-admin token. */
export function writeKubeconfigFile(path: string, p: KubeconfigParams): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(p), { mode: 0o600 });
}
