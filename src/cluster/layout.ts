// Where the local cluster keeps its state and what it names things: one prefix for every
// namespace it creates, so `down` removes exactly those.
import { join, resolve } from 'node:path';

export interface ClusterLayout {
  /** `.antrea` under the repository (or $ANTREA_STATE_DIR). */
  readonly stateDir: string;
  /** Prefix of every network namespace of this cluster. */
  readonly prefix: string;
  readonly kubeconfig: string;
  readonly logsDir: string;
  readonly pidsDir: string;
  readonly apiPort: number;
  /** The antrea-controller's controlplane API port on 127.0.0.1. */
  readonly controllerPort: number;
  /** The repository (where dist/ is). */
  readonly repoRoot: string;
}

export interface NodeSpec {
  readonly name: string;
  readonly controlPlane: boolean;
  /** Underlay address, e.g. 172.18.0.2. */
  readonly ip: string;
  readonly netns: string;
  readonly dir: string;
}

/** The node underlay: a private /24 that exists only inside the cluster's namespaces. */
export const UNDERLAY_PREFIX = '172.18.0';
export const UNDERLAY_MASK = 24;
export const CLUSTER_CIDR = '10.10.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/12';
export const API_PORT = 6443;

export function clusterLayout(repoRoot: string): ClusterLayout {
  const stateDir = resolve(process.env['ANTREA_STATE_DIR'] ?? join(repoRoot, '.antrea'));
  return {
    stateDir,
    prefix: process.env['ANTREA_CLUSTER_PREFIX'] ?? 'antrea',
    kubeconfig: join(stateDir, 'kubeconfig'),
    logsDir: join(stateDir, 'logs'),
    pidsDir: join(stateDir, 'pids'),
    apiPort: Number(process.env['ANTREA_API_PORT'] ?? API_PORT),
    controllerPort: Number(process.env['ANTREA_CONTROLLER_PORT'] ?? 10349),
    repoRoot: resolve(repoRoot),
  };
}

/** The environment that makes clusterLayout() in another process name this same cluster. */
export function layoutEnv(layout: ClusterLayout): Record<string, string> {
  return {
    ANTREA_STATE_DIR: layout.stateDir,
    ANTREA_CLUSTER_PREFIX: layout.prefix,
    ANTREA_API_PORT: String(layout.apiPort),
    ANTREA_CONTROLLER_PORT: String(layout.controllerPort),
  };
}

/** The control-plane node and N workers, named as Kind names them. */
export function nodeSpecs(layout: ClusterLayout, workers: number): NodeSpec[] {
  const names = [`${layout.prefix}-control-plane`];
  for (let i = 1; i <= workers; i++) names.push(`${layout.prefix}-worker${i === 1 ? '' : i}`);
  return names.map((name, i) => ({
    name,
    controlPlane: i === 0,
    ip: `${UNDERLAY_PREFIX}.${i + 2}`,
    netns: name,
    dir: join(layout.stateDir, 'nodes', name),
  }));
}
