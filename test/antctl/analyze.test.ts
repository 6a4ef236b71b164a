// `antctl analyze` as a user runs it: the built CLI, real files, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const antctl = (args: string[]) =>
  spawnSync(process.execPath, ['dist/src/antctl/main.js', ...args], { encoding: 'utf8' });

const MODEL = `
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec: {containers: [{name: c, image: nginx}]}
status: {podIP: 10.0.0.2}
`;

function withFiles(files: Record<string, string>, fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'analyze-'));
  try {
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('json output is exactly the contract form, a pod always reaching itself', () => {
  withFiles(
    {
      'model.yaml': MODEL,
      'policy.json': JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'only-named-port', namespace: 'x' },
        spec: {
          podSelector: { matchLabels: { pod: 'a' } },
          ingress: [{ ports: [{ port: 'http' }] }],
        },
      }),
    },
    (dir) => {
      const r = antctl([
        'analyze',
        '-f',
        dir,
        '-o',
        'json',
        '--probe',
        '80/TCP',
        '--probe',
        '81/TCP',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stdout.trim(),
        '{"probes":[{"port":80,"protocol":"TCP","reachable":{"x/a":["x/a","x/b"],"x/b":["x/a","x/b"]}},' +
          '{"port":81,"protocol":"TCP","reachable":{"x/a":["x/a","x/b"],"x/b":["x/b"]}}]}',
      );
      const ex = antctl(['analyze', '-f', dir, '--explain', 'x/b', 'x/a', '81/TCP']);
      assert.equal(ex.status, 0, ex.stderr);
      assert.match(ex.stdout, /DENIED/);
      assert.match(ex.stdout, /x\/only-named-port/);
      const table = antctl(['analyze', '-f', dir, '--probe', '81/TCP']);
      assert.match(table.stdout, /\| x\/b \| X   \| \.   \|/);
    },
  );
});

test('an invalid manifest: the field path, exit code 1, no stack trace', () => {
  withFiles(
    {
      'bad.yaml': `${MODEL}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/24, except: [10.0.1.0/28]}}]
`,
    },
    (dir) => {
      const r = antctl(['analyze', '-f', dir]);
      assert.equal(r.status, 1);
      assert.match(
        r.stderr,
        /The NetworkPolicy "bad" is invalid: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]/,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    },
  );
  const bad = antctl(['analyze', '-f', '/nonexistent/path']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no such file/);
});
