// `ovs-vsctl show` read back into bridges → ports → interface type and options, so a test can
// compare a node's switch with walkthrough step 5.
export interface ShownInterface {
  readonly type?: string;
  /** As printed, e.g. `{csum="true", key=flow, remote_ip=flow}`. */
  readonly options?: string;
}

/** Bridge name → port name → its (first) interface. */
export type ShownSwitch = Map<string, Map<string, ShownInterface>>;

export function parseOvsShow(text: string): ShownSwitch {
  const bridges: ShownSwitch = new Map();
  let ports: Map<string, ShownInterface> | undefined;
  let port: { name: string; iface: { type?: string; options?: string } } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const [key, ...rest] = line.split(' ');
    const value = rest.join(' ').replace(/^"(.*)"$/, '$1');
    if (key === 'Bridge') {
      ports = new Map();
      bridges.set(value, ports);
    } else if (key === 'Port' && ports) {
      port = { name: value, iface: {} };
      ports.set(value, port.iface);
    } else if (key === 'type:' && port) {
      port.iface.type = value;
    } else if (key === 'options:' && port) {
      port.iface.options = value;
    }
  }
  return bridges;
}
