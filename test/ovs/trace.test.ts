import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretTrace, parseDpifShow } from '../../src/ovs/trace.js';

// Captured from OVS 3.1: a pod packet sent to a Geneve peer through br-int, the tunnel's outer
// packet then leaving through br-phy (another bridge of the same userspace datapath).
const DPIF = `netdev@ovs-netdev: hit:0 missed:2
  br-int:
    br-int 65534/1: (tap)
    gw0 2/4: (tap)
    tun0 1/3: (geneve: key=flow, remote_ip=flow)
  br-phy:
    br-phy 65534/2: (tap)
    vx0 1/5: (system)
`;
const TUNNELLED = `Flow: ip,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.1.1,nw_proto=0,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no

bridge("br-int")
----------------
 0. ip, priority 10
    set_field:192.168.77.2->tun_dst
    output:1
     -> output to native tunnel
     -> tunneling to 192.168.77.2 via br-phy

bridge("br-phy")
----------------
 0. priority 0
    NORMAL
     -> no learned MAC for destination, flooding

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=2,nw_ecn=0,nw_frag=no
Datapath actions: tnl_push(tnl_port(3),header(size=50,type=5,eth(dst=aa:55:aa:55:00:01,src=ba:5b:05:c3:1f:4f,dl_type=0x0800),ipv4(src=192.168.77.1,dst=192.168.77.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=6081,csum=0x0),geneve(vni=0x0)),out_port(2)),5
`;

test('dpif/show maps datapath ports to ofports', () => {
  assert.deepEqual(
    [...parseDpifShow(DPIF)],
    [
      [1, 65534],
      [4, 2],
      [3, 1],
      [2, 65534],
      [5, 1],
    ],
  );
});

test('a tunnelled packet leaves through the tunnel port; other bridges are not counted', () => {
  const r = interpretTrace(TUNNELLED, 'br-int', parseDpifShow(DPIF));
  assert.deepEqual([r.tables, r.verdict, r.outputPorts], [[0], 'output', [1]]);
});

test('verdicts: flood, clone, drop, controller, unknown', () => {
  const ports = parseDpifShow(DPIF);
  const verdict = (actions: string) => {
    const r = interpretTrace(
      `bridge("br-int")\n 0. priority 0\nDatapath actions: ${actions}\n`,
      'br-int',
      ports,
    );
    return [r.verdict, r.outputPorts];
  };
  assert.deepEqual(verdict('1,4'), ['output', [65534, 2]]);
  assert.deepEqual(verdict('ct(commit,zone=65520),clone(set(ipv4(src=1.1.1.1)),4)'), [
    'output',
    [2],
  ]);
  assert.deepEqual(verdict('drop'), ['drop', []]);
  assert.deepEqual(
    verdict(
      'userspace(pid=0,controller(reason=1,dont_send=1,continuation=0,recirc_id=3,rule_cookie=0,controller_id=0,max_len=65535))',
    ),
    ['controller', []],
  );
  assert.equal(interpretTrace('Bad openflow flow syntax', 'br-int', ports).verdict, 'unknown');
});
