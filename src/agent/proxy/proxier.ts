// AntreaProxy's loop: Services, Endpoints and Nodes come in (from informers, or a test);
// handlers only mark Services dirty; one worker turns every dirty Service into its ports' flows
// and groups and applies all of them as ONE bundle, so a burst (the initial list of 1,000
// Services) costs one OVS transaction. Level-triggered: each pass reads the current objects,
// a failed pass marks its Services dirty again and retries with backoff.
import type { Endpoints, Service } from '../../apis/core.js';
import type { GroupEditor, FlowEditor, OpenflowClient } from '../openflow/client.js';
import { Owner } from '../openflow/client.js';
import { servicePortFlows, servicePortGroups } from '../openflow/service.js';
import { GroupIDs } from './groupids.js';
import { portConfig, portKey, type NodeAddress, type RealizedPort } from './portconfig.js';
import { servicePortStates, type ServicePortState } from './servicestate.js';

/** The addresses that the node's own network must send into OVS (see hostroutes.ts). */
export interface ServiceAddresses {
  readonly clusterIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  readonly nodeIPs: readonly string[];
}

export interface ProxierOptions {
  readonly nodeName: string;
  readonly flows: Pick<OpenflowClient, 'update' | 'config'>;
  /** After each pass that changed OVS: every address Services answer on. */
  readonly onAddresses?: (a: ServiceAddresses) => Promise<void>;
  readonly log: (msg: string) => void;
}

interface Realized {
  readonly state: ServicePortState;
  readonly port: RealizedPort;
}

const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 10_000;

const keyOf = (namespace: string | undefined, name: string | undefined): string =>
  `${namespace ?? 'default'}/${name ?? ''}`;

export class Proxier {
  private readonly services = new Map<string, Service>();
  private readonly endpoints = new Map<string, Endpoints>();
  private readonly nodes = new Map<string, string>();
  private readonly dirty = new Set<string>();
  /** Service key → its ports as OVS has them, by port key. */
  private readonly realized = new Map<string, Map<string, Realized>>();
  private readonly groupIDs = new GroupIDs();
  private loop: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoff = BACKOFF_MIN_MS;
  private failure: unknown;
  private stopped = false;
  /** OVS changed since onAddresses last succeeded. */
  private addressesStale = false;

  constructor(private readonly opts: ProxierOptions) {}

  upsertService(svc: Service): void {
    const key = keyOf(svc.metadata.namespace, svc.metadata.name);
    this.services.set(key, svc);
    this.markDirty(key);
  }

  deleteService(namespace: string, name: string): void {
    const key = keyOf(namespace, name);
    this.services.delete(key);
    this.markDirty(key);
  }

  upsertEndpoints(eps: Endpoints): void {
    const key = keyOf(eps.metadata.namespace, eps.metadata.name);
    this.endpoints.set(key, eps);
    this.markDirty(key);
  }

  deleteEndpoints(namespace: string, name: string): void {
    const key = keyOf(namespace, name);
    this.endpoints.delete(key);
    this.markDirty(key);
  }

  /** A node and its InternalIP (undefined: not known yet, so no NodePort on it). */
  upsertNode(name: string, ip: string | undefined): void {
    if (this.nodes.get(name) === ip) return;
    if (ip === undefined) this.nodes.delete(name);
    else this.nodes.set(name, ip);
    this.nodePortsDirty();
  }

  deleteNode(name: string): void {
    if (this.nodes.delete(name)) this.nodePortsDirty();
  }

  /** Resolves once every change handed in so far is in OVS; rejects if the last pass failed. */
  async synced(): Promise<void> {
    while (this.loop !== undefined) await this.loop;
    if (this.failure !== undefined) throw this.failure;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private nodePortsDirty(): void {
    for (const [key, svc] of this.services) {
      if (svc.spec?.ports?.some((p) => p.nodePort !== undefined)) this.markDirty(key);
    }
  }

  private markDirty(key: string): void {
    this.dirty.add(key);
    if (this.loop === undefined && this.retry === undefined && !this.stopped) {
      // The next macrotask: handlers of one burst (an informer's initial list) all land first.
      this.loop = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.drain())
        .finally(() => (this.loop = undefined));
    }
  }

  private async drain(): Promise<void> {
    while (this.dirty.size > 0 && !this.stopped) {
      const keys = [...this.dirty];
      this.dirty.clear();
      try {
        await this.sync(keys);
        this.failure = undefined;
        this.backoff = BACKOFF_MIN_MS;
      } catch (e) {
        for (const k of keys) this.dirty.add(k);
        this.failure = e;
        this.opts.log(`proxy: sync of ${keys.length} Services failed: ${String(e)}`);
        this.retry = setTimeout(() => {
          this.retry = undefined;
          const again = this.dirty.values().next();
          if (!again.done) this.markDirty(again.value);
        }, this.backoff);
        this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
        return;
      }
    }
  }

  /** One pass: the dirty Services' ports, desired from the current objects, in one bundle. */
  private async sync(keys: readonly string[]): Promise<void> {
    const nodes: NodeAddress[] = [...this.nodes].map(([name, ip]) => ({ name, ip }));
    const ctx = {
      self: this.opts.nodeName,
      nodes,
      groupID: (k: string) => this.groupIDs.get(k),
    };
    const desired = new Map<string, Map<string, Realized>>();
    for (const key of keys) {
      const svc = this.services.get(key);
      const ports = new Map<string, Realized>();
      for (const state of svc ? servicePortStates(svc, this.endpoints.get(key)) : []) {
        ports.set(portKey(state), { state, port: portConfig(state, ctx) });
      }
      desired.set(key, ports);
    }
    const cfg = this.opts.flows.config;
    const released: string[] = [];
    const { changes } = await this.opts.flows.update((f: FlowEditor, g: GroupEditor) => {
      for (const [key, ports] of desired) {
        const before = this.realized.get(key) ?? new Map<string, Realized>();
        const keep = new Set<string>();
        for (const [pk, r] of ports) {
          f.setOwner(owner(r.state), servicePortFlows(cfg, r.port.config));
          for (const group of servicePortGroups(r.port.config)) g.set(group);
          for (const gk of r.port.groupKeys) keep.add(gk);
          before.delete(pk);
        }
        for (const r of before.values()) f.clearOwner(owner(r.state));
        for (const r of this.realized.get(key)?.values() ?? []) {
          for (const gk of r.port.groupKeys) {
            if (keep.has(gk)) continue;
            g.delete(this.groupIDs.get(gk));
            released.push(gk);
          }
        }
      }
    });
    for (const [key, ports] of desired) {
      if (ports.size === 0) this.realized.delete(key);
      else this.realized.set(key, ports);
    }
    for (const gk of released) this.groupIDs.release(gk);
    if (changes > 0) this.addressesStale = true;
    if (this.addressesStale && this.opts.onAddresses) {
      await this.opts.onAddresses(this.addresses());
      this.addressesStale = false;
    }
  }

  private addresses(): ServiceAddresses {
    const clusterIPs = new Set<string>();
    const loadBalancerIPs = new Set<string>();
    for (const ports of this.realized.values()) {
      for (const { state } of ports.values()) {
        for (const ip of state.clusterIPs) clusterIPs.add(ip);
        for (const ip of state.loadBalancerIPs) loadBalancerIPs.add(ip);
      }
    }
    return {
      clusterIPs: [...clusterIPs],
      loadBalancerIPs: [...loadBalancerIPs],
      nodeIPs: [...this.nodes.values()],
    };
  }
}

function owner(s: ServicePortState): string {
  return Owner.service(s.namespace, s.name, s.portName);
}
