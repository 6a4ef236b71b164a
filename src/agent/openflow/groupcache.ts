// The OpenFlow groups the agent wants, next to the flow cache: a transaction records which
// group ids were set or deleted, changes() turns only those into puts and deletes, and
// commit/abort end it as the flow cache's transaction ends. One id, one group, one owner (the
// caller that allocated the id), so no merging is needed.
import { sameGroup, type Group, type GroupChange } from '../../ovs/group.js';

export class GroupCache {
  private readonly installed = new Map<number, Group>();
  /** The open transaction's wishes: a group, or undefined for "no such group". */
  private readonly pending = new Map<number, Group | undefined>();

  set(group: Group): void {
    this.pending.set(group.id, group);
  }

  delete(id: number): void {
    this.pending.set(id, undefined);
  }

  changes(): GroupChange[] {
    const out: GroupChange[] = [];
    for (const [id, group] of this.pending) {
      const now = this.installed.get(id);
      if (group === undefined) {
        if (now !== undefined) out.push({ op: 'delete', id });
      } else if (now === undefined || !sameGroup(now, group)) {
        out.push({ op: 'put', group });
      }
    }
    return out;
  }

  commit(): void {
    for (const [id, group] of this.pending) {
      if (group === undefined) this.installed.delete(id);
      else this.installed.set(id, group);
    }
    this.pending.clear();
  }

  abort(): void {
    this.pending.clear();
  }

  installedGroups(): Group[] {
    return [...this.installed.values()];
  }
}
