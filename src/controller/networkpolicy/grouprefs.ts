// Which policies use a group, and in which roles (a mask of role bits). Most groups have one
// user, so the first sits in two fields and a Map (some 200 bytes) exists only for the rest.

/** P: how a policy is known (its entry; any value compared by identity). */
export class GroupRefs<P = string> {
  private firstPolicy: P | undefined;
  private firstMask = 0;
  private others: Map<P, number> | undefined;

  get size(): number {
    return (this.firstPolicy !== undefined ? 1 : 0) + (this.others?.size ?? 0);
  }

  /** The policy's role mask; 0 when it does not use the group. */
  get(policy: P): number {
    return policy === this.firstPolicy ? this.firstMask : (this.others?.get(policy) ?? 0);
  }

  /** Sets the policy's role mask; 0 removes the policy. */
  set(policy: P, mask: number): void {
    if (
      policy === this.firstPolicy ||
      (this.firstPolicy === undefined && !this.others?.has(policy))
    ) {
      this.firstPolicy = mask === 0 ? undefined : policy;
      this.firstMask = mask;
    } else if (mask === 0) this.others?.delete(policy);
    else (this.others ??= new Map()).set(policy, mask);
  }

  /** The policies whose mask has the bit. */
  with(bit: number): P[] {
    const out: P[] = [];
    if (this.firstPolicy !== undefined && this.firstMask & bit) out.push(this.firstPolicy);
    for (const [policy, mask] of this.others ?? []) if (mask & bit) out.push(policy);
    return out;
  }
}
