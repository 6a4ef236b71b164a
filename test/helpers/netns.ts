// Network namespaces and veth pairs for tests, all named under one random prefix so that tests
// running side by side never collide, and cleanup() removes exactly what this TestNet created.
// Stop processes you started inside a namespace before cleanup(): deleting a namespace does not
// end them (and they keep it alive).
import { randomBytes } from 'node:crypto';
import { run } from '../../src/util/exec.js';

/** One end of a veth pair. */
export interface VethEnd {
  /** Interface name (at most 15 characters); use TestNet.name() for ends in shared namespaces. */
  readonly name: string;
  /** Namespace of this end; absent means the root namespace (avoid: tests stay sealed). */
  readonly netns?: string;
  /** CIDR address to assign, e.g. `10.99.0.1/24`. */
  readonly address?: string;
  readonly mac?: string;
}

const IFNAMSIZ = 15;

export class TestNet {
  /** e.g. `ovsd3fa9c1`: the tag and 6 random hex digits. */
  readonly prefix: string;
  private readonly namespaces: string[] = [];
  private readonly rootLinks: string[] = [];

  /** `tag`: a few letters naming the test (at most 5, so names fit interface limits). */
  constructor(tag: string) {
    if (!/^[a-z]{1,5}$/.test(tag)) throw new Error(`TestNet tag ${tag}: 1-5 lowercase letters`);
    this.prefix = `${tag}${randomBytes(3).toString('hex')}`;
  }

  /** `PREFIX` + suffix, checked against the 15-character interface name limit. */
  name(suffix: string): string {
    const name = `${this.prefix}${suffix}`;
    if (name.length > IFNAMSIZ) throw new Error(`name ${name} is longer than ${IFNAMSIZ}`);
    return name;
  }

  /** Creates namespace `PREFIX-suffix` with lo up and returns its name. */
  async netns(suffix: string): Promise<string> {
    const ns = `${this.prefix}-${suffix}`;
    await run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /**
   * Creates a veth pair directly in the given namespaces, sets both ends up with their address,
   * and turns TX checksum offload off on both (TCP through OVS's userspace datapath needs it).
   */
  async veth(a: VethEnd, b: VethEnd): Promise<void> {
    const end = (e: VethEnd): string[] => [
      e.name,
      ...(e.netns === undefined ? [] : ['netns', e.netns]),
      ...(e.mac === undefined ? [] : ['address', e.mac]),
    ];
    await run('ip', ['link', 'add', ...end(a), 'type', 'veth', 'peer', 'name', ...end(b)]);
    for (const e of [a, b]) if (e.netns === undefined) this.rootLinks.push(e.name);
    for (const e of [a, b]) {
      const ip = (args: string[]): Promise<string> =>
        run('ip', [...(e.netns === undefined ? [] : ['-n', e.netns]), ...args]);
      if (e.address !== undefined) await ip(['addr', 'add', e.address, 'dev', e.name]);
      await ip(['link', 'set', e.name, 'up']);
      await run('ethtool', ['-K', e.name, 'tx', 'off'], { netns: e.netns });
    }
  }

  /** Deletes the links and namespaces this TestNet created; safe to call twice. */
  async cleanup(): Promise<void> {
    const ignore = (): undefined => undefined; // already gone
    for (const link of this.rootLinks.splice(0))
      await run('ip', ['link', 'del', link]).catch(ignore);
    for (const ns of this.namespaces.splice(0)) await run('ip', ['netns', 'del', ns]).catch(ignore);
  }
}
