// antctl's command line as the seed shows it: `antctl get` and `antctl get ovsflows -h` word for
// word, the global flags (-t durations, -v, -s), and controller mode against a real controller
// (its policy computation and controlplane API): get networkpolicy|addressgroup|appliedtogroup
// and `query endpoint`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ControlPlaneServer } from '../../src/controller/apiserver/server.js';
import { NetworkPolicyController } from '../../src/controller/networkpolicy/controller.js';
import { modelNamespace, modelPod } from '../../src/conformance/model.js';
import type { KubeObject } from '../../src/apis/index.js';
import { parseDuration } from '../../src/antctl/globals.js';
import { summarize } from '../../src/antctl/get/resource.js';
import { antctl as run } from './run.js';

/** The built CLI, outside any agent (no $ANTREA_AGENT_SOCKET): controller mode. */
const antctl = (...args: string[]) => run(undefined, args);

/** Copied from the seed: what `antctl get` printed (between the prompt lines). */
const SEED_GET = `
Get the status or resource of a topic

Usage:

  antctl get [command]

Available Commands:
  addressgroup   Print address groups
  agentinfo      Print agent's basic information
  appliedtogroup Print appliedto groups
  networkpolicy  Print NetworkPolicies
  ovsflows       Dump OVS flows
  podinterface   Print Pod's network interface information

Flags:
  -h, --help   help for get

Global Flags:
  -k, --kubeconfig string   absolute path to the kubeconfig file
  -s, --server string       address and port of the API server, taking precedence over the default endpoint and the one set in kubeconfig
  -t, --timeout duration    time limit of the execution of the command
  -v, --verbose             enable verbose output

Use "antctl get [command] --help" for more information about a command.
`;

/** Copied from the seed's `antctl get ovsflows -h`. */
const SEED_TABLES = `  Antrea OVS Flow Tables:
  0     Classification
  5     Uplink
  10    SpoofGuard
  20    ARPResponder
  29    ServiceHairpin
  30    ConntrackZone
  31    ConntrackState
  40    DNAT(SessionAffinity)
  40    SessionAffinity
  41    ServiceLB
  42    EndpointDNAT
  45    CNPEmergencyEgressRule
  46    CNPSecurityOpsEgressRule
  47    CNPNetworkOpsEgressRule
  48    CNPPlatformEgressRule
  49    CNPApplicationEgressRule
  50    EgressRule
  60    EgressDefaultRule
  70    l3Forwarding
  80    L2Forwarding
  85    CNPEmergencyIngressRule
  86    CNPSecurityOpsIngressRule
  87    CNPNetworkOpsIngressRule
  88    CNPPlatformIngressRule
  89    CNPApplicationIngressRule
  90    IngressRule
  100   IngressDefaultRule
  105   ConntrackCommit
  106   HairpinSNATTable
  110   Output
`;

const SEED_OVSFLOWS_FLAGS = `Flags:
  -h, --help                   help for ovsflows
  -n, --namespace string       Namespace of the entity
      --networkpolicy string   NetworkPolicy name. If present, Namespace must be provided.
  -o, --output string          output format: json|table|yaml (default "table")
  -p, --pod string             Name of a local Pod. If present, Namespace must be provided.
  -T, --table string           Antrea OVS flow table name or number
`;

test('antctl get prints the seed’s help', async () => {
  const r = await antctl('get');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, SEED_GET);
});

test('antctl get ovsflows -h: usage, alias, examples, the seed’s table list and flags', async () => {
  const r = await antctl('get', 'ovsflows', '-h');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    r.stdout.startsWith(
      'Dump all the OVS flows or the flows installed for the specified entity.\n\nUsage:\n\n' +
        '  antctl get ovsflows [flags]\n\nAliases:\n  ovsflows, of\n\nExamples:\n',
    ),
    r.stdout,
  );
  assert.ok(r.stdout.includes('  $ antctl get ovsflows -T IngressRule\n'));
  assert.ok(r.stdout.includes(SEED_TABLES), r.stdout);
  assert.ok(r.stdout.includes(SEED_OVSFLOWS_FLAGS), r.stdout);
  assert.ok(r.stdout.endsWith('  -v, --verbose             enable verbose output\n'));
});

test('durations as Go writes them; list cells summarized', async () => {
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.throws(() => parseDuration('10'), /invalid duration "10"/);
  assert.equal(summarize(['b', 'a']), 'a,b');
  assert.equal(summarize(['x'.repeat(30), 'y'.repeat(30), 'z']), `${'x'.repeat(30)} + 2 more...`);
  const bad = await antctl('get', 'networkpolicy', '-t', 'soon', '-s', '127.0.0.1:1');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid duration "soon"/);
});

const controller = new NetworkPolicyController();
const server = new ControlPlaneServer(controller);
let url = '';

before(async () => {
  controller.apply(modelNamespace('default'));
  const pod = (name: string, ip: string, app: string) =>
    controller.apply(modelPod('default', name, { ip, node: 'n1', labels: { app } }));
  pod('nginx-1', '10.10.1.2', 'nginx');
  pod('nginx-2', '10.10.2.2', 'nginx');
  pod('ch-busybox', '10.10.1.3', 'busybox');
  controller.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'nginx-allow', namespace: 'default', uid: 'np-1' },
    spec: {
      podSelector: { matchLabels: { app: 'nginx' } },
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: { app: 'nginx' } } },
            { podSelector: { matchLabels: { app: 'busybox' } } },
          ],
        },
      ],
    },
  } as KubeObject);
  url = `127.0.0.1:${await server.listen(0)}`;
});
after(() => server.close());

test('controller mode (-s): every policy and group, with the seed’s columns; -v says where', async () => {
  const np = await antctl('get', 'networkpolicy', '-s', url, '-v', '-t', '10s');
  assert.equal(np.code, 0, np.stderr);
  assert.match(
    np.stdout,
    /^NAMESPACE NAME +APPLIED-TO +RULES\ndefault +nginx-allow [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} 1\n$/,
  );
  assert.match(np.stderr, new RegExp(`GET http://${url}/networkpolicies`));
  const none = await antctl('get', 'networkpolicy', 'other', '-s', url);
  assert.equal(none.stdout, 'NAMESPACE NAME APPLIED-TO RULES\n');
  const ag = await antctl('get', 'addressgroup', '-s', url, '-o', 'json');
  const groups = JSON.parse(ag.stdout) as { groupMembers: { ips: string[] }[] }[];
  assert.deepEqual(groups.flatMap((g) => g.groupMembers.flatMap((m) => m.ips)).sort(), [
    '10.10.1.2',
    '10.10.1.3',
    '10.10.2.2',
  ]);
  const atg = await antctl('get', 'appliedtogroup', '-s', url);
  assert.match(atg.stdout, /^NAME +PODS\n\S+ +default\/nginx-1,default\/nginx-2\n$/);
  const agentOnly = await antctl('get', 'podinterface', '-s', url);
  assert.equal(agentOnly.code, 1);
  assert.match(agentOnly.stderr, /only available in agent mode/);
});

test('query endpoint: the policies applied to a pod and the rules naming it as a peer', async () => {
  const nginx = await antctl('query', 'endpoint', '-n', 'default', '-p', 'nginx-1', '-s', url);
  assert.equal(nginx.code, 0, nginx.stderr);
  assert.match(
    nginx.stdout,
    /^Endpoint default\/nginx-1\nApplied Policies:\nNAME +NAMESPACE +TYPE +UID\nnginx-allow +default +K8sNetworkPolicy +np-1\n/,
  );
  assert.match(
    nginx.stdout,
    /Ingress Rules \(from this endpoint\):\nNAME .*\nnginx-allow +default +K8sNetworkPolicy +0 +Allow\n/,
  );
  const busybox = await antctl('query', 'endpoint', '-p', 'ch-busybox', '-s', url, '-o', 'json');
  const result = JSON.parse(busybox.stdout) as {
    appliedPolicies: unknown[];
    ingressRules: { policy: { name: string } }[];
    egressRules: unknown[];
  };
  assert.deepEqual(result.appliedPolicies, []);
  assert.deepEqual(
    result.ingressRules.map((r) => r.policy.name),
    ['nginx-allow'],
  );
  assert.deepEqual(result.egressRules, []);
});
