// The cluster's CA and the API server's serving certificate, made once with the openssl CLI
// (node:crypto cannot issue X.509 certificates) and kept in the data directory, so that a
// kubeconfig written once stays valid across restarts. Also the bearer token, likewise kept.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export interface ServingCerts {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

/** Names a client may use for the API server, in and out of the cluster. */
const SUBJECT_ALT_NAMES = [
  'IP:127.0.0.1',
  'IP:10.96.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function issue(dir: string): void {
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=antrea-ts-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, [
    'req',
    '-new',
    ...EC_KEY,
    '-keyout',
    'apiserver.key',
    '-out',
    'apiserver.csr',
    '-subj',
    '/CN=kube-apiserver',
  ]);
  writeFileSync(
    join(dir, 'ext.cnf'),
    [
      `subjectAltName=${SUBJECT_ALT_NAMES.join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'apiserver.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '3650',
    '-extfile',
    'ext.cnf',
    '-out',
    'apiserver.crt',
  ]);
}

/** Reads the certificates in `dir`, issuing them first if missing (atomically: all or none). */
export function ensureCerts(dir: string): ServingCerts {
  if (!existsSync(join(dir, 'apiserver.crt'))) {
    mkdirSync(dirname(dir), { recursive: true });
    const tmp = mkdtempSync(`${dir}.tmp-`);
    try {
      issue(tmp);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return { caCert: read('ca.crt'), cert: read('apiserver.crt'), key: read('apiserver.key') };
}

/** The bearer token in `file`, generated (readable by the owner only) if missing. */
export function ensureToken(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
