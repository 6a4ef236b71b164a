// The Node.js flags antrea-controller runs with; the cluster starts it with them and the
// controller benchmarks run with them too, so the benchmark measures the real process.

/** A large young generation: the policy computation allocates heavily. */
export const CONTROLLER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
