// A typed OpenFlow flow as ovs-ofctl reads and prints it. The match is an ordered list of
// fields (`ip`, `nw_src=10.0.0.1`, `reg1=0x5`), the actions a list of top-level actions
// (`conjunction(1,1/2)`, `goto_table:105`); this is the one representation that the pipeline
// builds, the flow cache compares, bundles send and dumps come back as.

export interface MatchField {
  /** `ip`, `arp`, `in_port`, `nw_src`, `reg0`, `ct_state`, `conj_id`, … */
  readonly name: string;
  /** Absent for protocol shorthands such as `ip` or `tcp`. */
  readonly value?: string;
}

export interface Flow {
  readonly table: number;
  readonly priority: number;
  readonly match: readonly MatchField[];
  readonly actions: readonly string[];
  /** 64-bit cookie as a hex string `0x…`; absent means 0. */
  readonly cookie?: string;
  readonly idleTimeout?: number;
  readonly hardTimeout?: number;
  /** Flow-mod flags, in the order OVS prints them (`send_flow_rem check_overlap …`). */
  readonly flags?: readonly FlowFlag[];
  /** OpenFlow 1.4+ eviction importance; absent means 0. */
  readonly importance?: number;
}

/** The flow-mod flags that ovs-ofctl reads as bare keywords and dump-flows prints. */
export const FLOW_FLAGS = [
  'send_flow_rem',
  'check_overlap',
  'reset_counts',
  'no_packet_counts',
  'no_byte_counts',
] as const;
export type FlowFlag = (typeof FLOW_FLAGS)[number];

/** Counters and ages that `dump-flows` prints; only dumps carry them. */
export interface FlowStats {
  /** As printed, e.g. `0.017s`. */
  readonly duration: string;
  readonly nPackets: number;
  readonly nBytes: number;
  readonly idleAge?: number;
  readonly hardAge?: number;
}

export interface DumpedFlow extends Flow {
  readonly stats: FlowStats;
}
