// Installs what the build and the tests need on a fresh clone, and nothing when it is already
// there: Debian packages for the data plane (as root) and the npm dependencies.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const debianTools = {
  'ovs-vsctl': 'openvswitch-switch',
  ip: 'iproute2',
  ethtool: 'ethtool',
  curl: 'curl',
  wget: 'wget',
  nc: 'netcat-openbsd',
  openssl: 'openssl',
  nslookup: 'bind9-dnsutils',
  script: 'bsdutils',
};

function has(tool) {
  try {
    execSync(`command -v ${tool}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
}

const missing = [
  ...new Set(
    Object.entries(debianTools)
      .filter(([t]) => !has(t))
      .map(([, p]) => p),
  ),
];
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(
      `[ensure-deps] missing Debian packages ${missing.join(' ')}; run as root to install them`,
    );
  } else {
    console.error(`[ensure-deps] installing Debian packages: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execSync(`apt-get install -y --no-install-recommends ${missing.join(' ')}`, {
        stdio: 'inherit',
        env,
      });
    } catch {
      execSync('apt-get update', { stdio: 'inherit', env });
      execSync(`apt-get install -y --no-install-recommends ${missing.join(' ')}`, {
        stdio: 'inherit',
        env,
      });
    }
  }
}

const lock = existsSync('package-lock.json') ? statSync('package-lock.json').mtimeMs : 0;
const marker = 'node_modules/.package-lock.json';
if (!existsSync(marker) || statSync(marker).mtimeMs < lock) {
  console.error('[ensure-deps] installing npm dependencies');
  execSync(
    existsSync('package-lock.json')
      ? 'npm ci --no-audit --no-fund'
      : 'npm install --no-audit --no-fund',
    {
      stdio: 'inherit',
    },
  );
}
