// The real kubectl (1.32) against the embedded API server: apply/configured, the printer
// columns, label, describe, wait, get -w, validation errors, conflicts, delete -f.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Harness, table, until } from './harness.js';

const WORKLOADS = `
apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  namespace: demo
  labels: {app: nginx}
spec:
  replicas: 3
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox
        command: [sleep, infinity]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cassandra
  namespace: demo
spec:
  serviceName: cassandra
  replicas: 2
  selector:
    matchLabels: {app: cassandra}
  template:
    metadata:
      labels: {app: cassandra}
    spec:
      containers:
      - name: cassandra
        image: cassandra:4
        ports:
        - {containerPort: 9042, name: cql}
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-svc
  namespace: demo
spec:
  type: LoadBalancer
  selector: {app: nginx}
  ports:
  - {name: http, port: 80, targetPort: 80}
  - {name: https, port: 443, targetPort: 443}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: nginx-allow
  namespace: demo
spec:
  podSelector: {matchLabels: {app: nginx}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: nginx}}
---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata:
  name: acnp-drop
spec:
  priority: 5
  tier: securityops
  appliedTo:
  - podSelector: {matchLabels: {app: nginx}}
  ingress:
  - action: Drop
    from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}
`;

const POD = `
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: demo
  labels: {app: web}
spec:
  nodeName: worker-1
  containers:
  - {name: web, image: nginx}
`;

describe('kubectl against the embedded API server', () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start();
  });
  after(async () => {
    await h.stop();
  });

  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await h.kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (args: string[]): Promise<Record<string, unknown>> =>
    JSON.parse(await ok([...args, '-o', 'json'])) as Record<string, unknown>;

  test('apply -f creates a Namespace, Deployment, StatefulSet, Service, NetworkPolicy and ACNP', async () => {
    const out = await ok(['apply', '-f', h.manifest('workloads.yaml', WORKLOADS)]);
    assert.deepEqual(out.trim().split('\n'), [
      'namespace/demo created',
      'deployment.apps/nginx-deployment created',
      'statefulset.apps/cassandra created',
      'service/nginx-svc created',
      'networkpolicy.networking.k8s.io/nginx-allow created',
      'clusternetworkpolicy.crd.antrea.io/acnp-drop created',
    ]);
    const ns = await json(['get', 'ns', 'demo']);
    assert.deepEqual((ns.metadata as { labels: object }).labels, {
      'kubernetes.io/metadata.name': 'demo',
    });
  });

  test('a second apply with one changed field prints configured and changes only that field', async () => {
    const before = await json(['get', 'deploy', '-n', 'demo', 'nginx-deployment']);
    const changed = WORKLOADS.replace('replicas: 3', 'replicas: 4');
    const out = await ok(['apply', '-f', h.manifest('workloads2.yaml', changed)]);
    assert.match(out, /^deployment\.apps\/nginx-deployment configured$/m);
    for (const line of out
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('deployment'))) {
      assert.match(line, / unchanged$/);
    }
    const after = await json(['get', 'deploy', '-n', 'demo', 'nginx-deployment']);
    type D = { metadata: Record<string, unknown>; spec: { replicas: number } };
    const [b, a] = [before as unknown as D, after as unknown as D];
    assert.equal(a.spec.replicas, 4);
    assert.equal(a.metadata.generation, 2);
    const strip = (d: D) => ({
      ...d,
      metadata: { ...d.metadata, resourceVersion: '', generation: 0, annotations: {} },
      spec: { ...d.spec, replicas: 0 },
    });
    assert.deepEqual(strip(a), strip(b));
  });

  test('get pods -o wide prints the real columns', async () => {
    await ok(['apply', '-f', h.manifest('pod.yaml', POD)]);
    const status = {
      status: {
        phase: 'Running',
        podIP: '10.10.1.5',
        podIPs: [{ ip: '10.10.1.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: {} } }],
      },
    };
    await ok([
      'patch',
      'pod',
      'web-0',
      '-n',
      'demo',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    const rows = table(await ok(['get', 'pods', '-n', 'demo', '-o', 'wide']));
    assert.deepEqual(rows[0], [
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    assert.deepEqual(
      [...rows[1]!.slice(0, 4), ...rows[1]!.slice(5)],
      ['web-0', '1/1', 'Running', '0', '10.10.1.5', 'worker-1', '<none>', '<none>'],
    );
  });

  test('get svc -A, get networkpolicy and get acnp print the real columns', async () => {
    const svc = table(await ok(['get', 'svc', '-A']));
    assert.deepEqual(svc[0], [
      'NAMESPACE',
      'NAME',
      'TYPE',
      'CLUSTER-IP',
      'EXTERNAL-IP',
      'PORT(S)',
      'AGE',
    ]);
    assert.deepEqual(svc[1]!.slice(0, 6), [
      'default',
      'kubernetes',
      'ClusterIP',
      '10.96.0.1',
      '<none>',
      '443/TCP',
    ]);
    assert.deepEqual(svc[2]!.slice(0, 6), [
      'demo',
      'nginx-svc',
      'LoadBalancer',
      '<none>',
      '<pending>',
      '80/TCP,443/TCP',
    ]);
    const np = table(await ok(['get', 'networkpolicy', '-n', 'demo']));
    assert.deepEqual(np[0], ['NAME', 'POD-SELECTOR', 'AGE']);
    assert.deepEqual(np[1]!.slice(0, 2), ['nginx-allow', 'app=nginx']);
    const acnp = table(await ok(['get', 'acnp']));
    assert.deepEqual(acnp[0], [
      'NAME',
      'TIER',
      'PRIORITY',
      'DESIRED NODES',
      'CURRENT NODES',
      'AGE',
    ]);
    assert.deepEqual(acnp[1]!.slice(0, 3), ['acnp-drop', 'securityops', '5']);
    const tiers = table(await ok(['get', 'tiers']));
    assert.deepEqual(tiers[0], ['NAME', 'PRIORITY', 'AGE']);
    assert.equal(tiers.length, 7);
    const deploy = table(await ok(['get', 'deploy', '-n', 'demo']));
    assert.deepEqual(deploy[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(deploy[1]!.slice(0, 4), ['nginx-deployment', '0/4', '0', '0']);
    const sts = table(await ok(['get', 'sts', '-n', 'demo']));
    assert.deepEqual(sts[0], ['NAME', 'READY', 'AGE']);
    assert.deepEqual(sts[1]!.slice(0, 2), ['cassandra', '0/2']);
  });

  test('label --overwrite, get -L and describe', async () => {
    await ok(['label', 'pod', 'web-0', '-n', 'demo', 'tier=front']);
    const refused = await h.kubectl(['label', 'pod', 'web-0', '-n', 'demo', 'tier=back']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /already has a value \(front\), and --overwrite is false/);
    await ok(['label', 'pod', 'web-0', '-n', 'demo', 'tier=back', '--overwrite']);
    const rows = table(await ok(['get', 'pod', 'web-0', '-n', 'demo', '-L', 'tier']));
    assert.equal(rows[0]!.at(-1), 'TIER');
    assert.equal(rows[1]!.at(-1), 'back');
    const pod = await ok(['describe', 'pod', 'web-0', '-n', 'demo']);
    assert.match(pod, /^Name:\s+web-0$/m);
    assert.match(pod, /^Labels:\s+app=web$/m);
    assert.match(pod, /^Status:\s+Running$/m);
    assert.match(pod, /^IP:\s+10\.10\.1\.5$/m);
    const acnp = await ok(['describe', 'acnp', 'acnp-drop']);
    assert.match(acnp, /^Kind:\s+ClusterNetworkPolicy$/m);
    assert.match(acnp, /Tier:\s+securityops/);
  });

  test('wait --for=condition=Ready returns once the status subresource sets it', async () => {
    await ok(['apply', '-f', h.manifest('pod2.yaml', POD.replace('web-0', 'web-1'))]);
    const waiting = h.kubectl([
      'wait',
      '--for=condition=Ready',
      'pod/web-1',
      '-n',
      'demo',
      '--timeout=20s',
    ]);
    await new Promise((r) => setTimeout(r, 500));
    const status = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    await ok([
      'patch',
      'pod',
      'web-1',
      '-n',
      'demo',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'pod/web-1 condition met');
  });

  test('get pods -w streams changes', async () => {
    const child = spawn('kubectl', ['get', 'pods', '-n', 'demo', '-w'], { env: h.env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until('the initial list', () => out.includes('web-1'));
      await ok(['apply', '-f', h.manifest('pod3.yaml', POD.replace('web-0', 'web-2'))]);
      await until('the new pod', () => /^web-2\s+0\/1\s+Pending/m.test(out));
      await ok(['delete', 'pod', 'web-2', '-n', 'demo']);
      await until(
        'the deletion',
        () => out.split('\n').filter((l) => l.startsWith('web-2')).length >= 2,
      );
      assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    } finally {
      child.kill();
    }
  });

  test('an invalid NetworkPolicy is refused with the field path and nothing is stored', async () => {
    const bad = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: demo}
spec:
  podSelector: {}
  ingress:
  - ports:
    - {port: 80, endPort: 79}
`;
    const r = await h.kubectl(['apply', '-f', h.manifest('bad.yaml', bad)]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /The NetworkPolicy "bad" is invalid: spec\.ingress\[0\]\.ports\[0\]\.endPort: Invalid value: 79/,
    );
    const get = await h.kubectl(['get', 'netpol', 'bad', '-n', 'demo']);
    assert.match(get.stderr, /networkpolicies.networking.k8s.io "bad" not found/);
  });

  test('an update with a stale resourceVersion gets 409 Conflict', async () => {
    const stale = await json(['get', 'svc', 'nginx-svc', '-n', 'demo']);
    await ok(['label', 'svc', 'nginx-svc', '-n', 'demo', 'touched=yes']);
    const r = await h.kubectl(['replace', '-f', '-'], JSON.stringify(stale));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Operation cannot be fulfilled on services "nginx-svc": the object has been modified/,
    );
  });

  test('kubectl create generators (which send protobuf) create what kubectl would send as JSON', async () => {
    await ok(['create', 'namespace', 'gen']);
    await ok([
      'create',
      'deployment',
      'web',
      '--image=nginx:1.25',
      '--replicas=2',
      '--port=80',
      '-n',
      'gen',
    ]);
    await ok(['create', 'service', 'nodeport', 'web', '--tcp=80:8080', '-n', 'gen']);
    for (const [kind, name] of [
      ['deployment', 'web'],
      ['service', 'web'],
    ] as const) {
      const args =
        kind === 'deployment'
          ? ['create', 'deployment', name, '--image=nginx:1.25', '--replicas=2', '--port=80']
          : ['create', 'service', 'nodeport', name, '--tcp=80:8080'];
      const sent = JSON.parse(
        await ok([...args, '-n', 'gen', '--dry-run=client', '-o', 'json']),
      ) as { spec: Record<string, unknown> };
      const stored = await json(['get', kind, name, '-n', 'gen']);
      const spec = stored.spec as Record<string, unknown>;
      for (const [k, v] of Object.entries(sent.spec)) {
        if (k === 'template' || k === 'strategy') continue;
        assert.deepEqual(spec[k], v, `${kind}.spec.${k}`);
      }
    }
    const deploy = await json(['get', 'deploy', 'web', '-n', 'gen']);
    const template = (
      deploy.spec as { template: { spec: { containers: { image: string; ports: unknown }[] } } }
    ).template;
    assert.equal(template.spec.containers[0]!.image, 'nginx:1.25');
    assert.deepEqual(template.spec.containers[0]!.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    await ok(['delete', 'namespace', 'gen']);
  });

  test('delete -f removes everything, the namespace cascading to its objects', async () => {
    const out = await ok(['delete', '-f', h.manifest('workloads3.yaml', WORKLOADS)]);
    assert.match(out, /^namespace "demo" deleted$/m);
    assert.match(out, /^clusternetworkpolicy.crd.antrea.io "acnp-drop" deleted$/m);
    const left = await h.kubectl([
      'get',
      'pods,deploy,svc,netpol',
      '-n',
      'demo',
      '--ignore-not-found',
    ]);
    assert.equal(left.stdout.trim(), '');
    const ns = await h.kubectl(['get', 'ns', 'demo']);
    assert.match(ns.stderr, /namespaces "demo" not found/);
  });
});
