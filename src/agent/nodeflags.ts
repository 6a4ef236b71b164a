// The Node.js flags antrea-agent runs with; the cluster and the tests' nodes start it with them,
// and the benchmarks that stand for the agent run with them too.

/**
 * Old generation sized ahead: V8 starts with a small old-space limit and marks and compacts the
 * heap while a big policy set's flow cache (some 40 MB for 100,000 flows) grows through it, in
 * the middle of the computation. The limit is a heuristic, not memory taken: an agent with few
 * rules stays as small as before.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=256'];
