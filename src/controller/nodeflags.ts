// The Node.js flags antrea-controller runs with; the cluster starts it with them and the
// controller benchmarks run with them too, so the benchmark measures the real process.

/**
 * A large young generation: the policy computation allocates heavily. Fixed at its size: V8
 * shrinks a growable one after every full GC, and regrowing it took five more (and smaller)
 * scavenges per full computation, some 15% of its CPU time.
 */
export const CONTROLLER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=64',
  '--min-semi-space-size=64',
];
