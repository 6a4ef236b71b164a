// The cluster's shape, written by `up` so later commands and the node processes agree on it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLayout, NodeSpec } from './layout.js';
import { nodeSpecs } from './layout.js';

export interface ClusterConfig {
  readonly workers: number;
}

function path(layout: ClusterLayout): string {
  return join(layout.stateDir, 'cluster.json');
}

export function writeConfig(layout: ClusterLayout, config: ClusterConfig): void {
  mkdirSync(layout.stateDir, { recursive: true });
  writeFileSync(path(layout), `${JSON.stringify(config)}\n`);
}

export function readConfig(layout: ClusterLayout): ClusterConfig | undefined {
  try {
    return JSON.parse(readFileSync(path(layout), 'utf8')) as ClusterConfig;
  } catch {
    return undefined;
  }
}

export function clusterNodes(layout: ClusterLayout): NodeSpec[] {
  const config = readConfig(layout);
  if (!config) throw new Error(`no cluster in ${layout.stateDir} (run ./antrea up)`);
  return nodeSpecs(layout, config.workers);
}
