// Drops ovs-vswitchd's cached datapath flows (megaflows) after the OpenFlow tables changed, so
// the next packet of every flow is translated again. OVS's revalidators should do this on their
// own, but with the userspace (netdev) datapath of Debian's OVS 3.1 we saw a cached `drop`
// megaflow of a deleted NetworkPolicy rule outlive the rule for minutes (a pod's new TCP
// connections to another node kept being dropped; `ofproto/trace` already showed them allowed),
// and `revalidator/purge` ended it at once. Requests are coalesced: at most one purge runs and
// one more is queued, whatever the number of bundles meanwhile. The command goes over one
// unixctl connection, not an ovs-appctl process per bundle.
import { UnixctlClient } from './unixctl.js';

export class DatapathPurger {
  private running: Promise<void> | undefined;
  private again = false;
  private readonly vswitchd: UnixctlClient;

  /** `vswitchdCtl`: ovs-vswitchd's unixctl socket (OvsDaemons.vswitchdCtl). */
  constructor(
    vswitchdCtl: string,
    private readonly log: (msg: string) => void,
  ) {
    this.vswitchd = new UnixctlClient(vswitchdCtl);
  }

  /** Purges soon, in the background; resolves when a purge that started after this call ended. */
  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.vswitchd
        .call('revalidator/purge')
        .catch((e: unknown) =>
          this.log(`datapath purge: ${e instanceof Error ? e.message : String(e)}`),
        );
    } while (this.again);
  }
}
