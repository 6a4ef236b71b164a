// The CNI inputs → typed request, and each mistake → the spec's error code (libcni skel's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest } from '../../src/cni/request.cjs';
import { CniError, ErrorCode } from '../../src/cni/spec.cjs';

const env = (
  over: Record<string, string | undefined> = {},
): Record<string, string | undefined> => ({
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'c0ffee',
  CNI_NETNS: '/var/run/netns/x',
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
  CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=nginx',
  ...over,
});
const conf = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({ cniVersion: '1.0.0', name: 'antrea', type: 'antrea', ...over });

function code(e: Record<string, string | undefined>, stdin: string): number {
  try {
    parseRequest(e, stdin);
  } catch (err) {
    assert.ok(err instanceof CniError, String(err));
    return err.code;
  }
  return 0;
}

test('a containerd-style ADD parses into container, netns, interface and pod', () => {
  const req = parseRequest(env(), conf({ socketPath: '/run/x.sock' }));
  assert.deepEqual(req, {
    command: 'ADD',
    conf: { cniVersion: '1.0.0', name: 'antrea', type: 'antrea', socketPath: '/run/x.sock' },
    containerId: 'c0ffee',
    netns: '/var/run/netns/x',
    ifName: 'eth0',
    pod: { namespace: 'default', name: 'nginx' },
  });
});

test('VERSION needs nothing but the command', () => {
  assert.deepEqual(parseRequest({ CNI_COMMAND: 'VERSION' }, ''), { command: 'VERSION' });
});

test('DEL works without a netns or CNI_ARGS (the sandbox may be gone)', () => {
  const req = parseRequest(
    env({ CNI_COMMAND: 'DEL', CNI_NETNS: undefined, CNI_ARGS: undefined }),
    conf(),
  );
  assert.equal(req.command, 'DEL');
  assert.equal('netns' in req ? req.netns : 'x', undefined);
});

test('environment mistakes are code 4', () => {
  assert.equal(code({}, conf()), ErrorCode.InvalidEnvironment);
  assert.equal(code(env({ CNI_COMMAND: 'BOGUS' }), conf()), ErrorCode.InvalidEnvironment);
  assert.equal(code(env({ CNI_NETNS: undefined }), conf()), ErrorCode.InvalidEnvironment);
  assert.equal(code(env({ CNI_CONTAINERID: '' }), conf()), ErrorCode.InvalidEnvironment);
  assert.equal(code(env({ CNI_CONTAINERID: 'a/b' }), conf()), ErrorCode.InvalidEnvironment);
  assert.equal(
    code(env({ CNI_IFNAME: 'a-very-long-interface' }), conf()),
    ErrorCode.InvalidEnvironment,
  );
  assert.equal(code(env({ CNI_ARGS: 'K8S_POD_NAME' }), conf()), ErrorCode.InvalidEnvironment);
  assert.equal(code(env({ CNI_ARGS: 'K8S_POD_NAME=x' }), conf()), ErrorCode.InvalidEnvironment);
  assert.equal(
    code(env({ CNI_ARGS: 'K8S_POD_NAMESPACE=a;K8S_POD_NAME=x y' }), conf()),
    ErrorCode.InvalidEnvironment,
  );
  assert.equal(code(env({ CNI_NETNS: 'relative/ns' }), conf()), ErrorCode.InvalidEnvironment);
});

test('stdin that is not JSON is code 6; a config missing its keys is code 7', () => {
  assert.equal(code(env(), '{"cniVersion":'), ErrorCode.DecodingFailure);
  assert.equal(code(env(), '[]'), ErrorCode.DecodingFailure);
  assert.equal(
    code(env(), JSON.stringify({ name: 'antrea', type: 'antrea' })),
    ErrorCode.InvalidNetworkConfig,
  );
  assert.equal(code(env(), conf({ name: 'bad name' })), ErrorCode.InvalidNetworkConfig);
  assert.equal(code(env(), conf({ type: '' })), ErrorCode.InvalidNetworkConfig);
  assert.equal(code(env(), conf({ socketPath: 'relative.sock' })), ErrorCode.InvalidNetworkConfig);
  assert.equal(
    code(env({ CNI_COMMAND: 'CHECK' }), conf()),
    ErrorCode.InvalidNetworkConfig,
    'CHECK needs prevResult',
  );
  assert.equal(
    code(env({ CNI_COMMAND: 'GC' }), conf({ cniVersion: '1.1.0' })),
    ErrorCode.InvalidNetworkConfig,
  );
});

test('an unknown cniVersion, or a command its version lacks, is code 1', () => {
  assert.equal(code(env(), conf({ cniVersion: '9.9.9' })), ErrorCode.IncompatibleVersion);
  assert.equal(
    code(env({ CNI_COMMAND: 'CHECK' }), conf({ cniVersion: '0.3.1', prevResult: {} })),
    ErrorCode.IncompatibleVersion,
  );
  assert.equal(code(env({ CNI_COMMAND: 'STATUS' }), conf()), ErrorCode.IncompatibleVersion);
});

test('GC lists the attachments that stay', () => {
  const req = parseRequest(
    env({ CNI_COMMAND: 'GC' }),
    conf({
      cniVersion: '1.1.0',
      'cni.dev/valid-attachments': [{ containerID: 'c1', ifname: 'eth0' }],
    }),
  );
  assert.deepEqual(req.command === 'GC' ? req.validAttachments : undefined, [
    { containerId: 'c1', ifName: 'eth0' },
  ]);
});
