// The built-in server inside a private netns (so its fixed ports collide with nothing): the nginx
// page, `namespace/name` over HTTP, plain TCP and UDP, and its memory.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { run } from '../../../src/util/exec.js';
import { TestNet } from '../../helpers/netns.js';

const SERVER = fileURLToPath(new URL('../../../src/kube/builtin-server/main.js', import.meta.url));

interface Config {
  readonly name: string;
  readonly nginx: boolean;
  readonly tcp: number[];
  readonly udp: number[];
}

/** Starts the server; resolves once it listens on every port (it prints a line for each). */
function start(ns: string, config: Config): Promise<ChildProcess> {
  const child = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, SERVER, JSON.stringify(config)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > config.tcp.length + config.udp.length) resolve(child);
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

describe('built-in server', () => {
  const net = new TestNet('kbsrv');
  let ns = '';
  let nginx: ChildProcess | undefined;
  let plain: ChildProcess | undefined;

  before(async () => {
    ns = await net.netns('a');
    nginx = await start(ns, { name: 'default/web', nginx: true, tcp: [80, 443], udp: [53] });
    plain = await start(ns, { name: 'prod/api', nginx: false, tcp: [8080], udp: [] });
  });
  after(async () => {
    await stop(nginx);
    await stop(plain);
    await net.cleanup();
  });

  it('serves the nginx page on every TCP port of an nginx image', async () => {
    for (const port of [80, 443]) {
      const page = await run('curl', ['-s', `http://127.0.0.1:${port}/`], { netns: ns });
      assert.match(page, /<title>Welcome to nginx!<\/title>/);
    }
    const head = await run('curl', ['-sI', 'http://127.0.0.1/'], { netns: ns });
    assert.match(head, /^HTTP\/1\.1 200 OK/);
  });

  it('answers namespace/name over HTTP and plain TCP otherwise', async () => {
    assert.equal(await run('curl', ['-s', 'http://127.0.0.1:8080/x'], { netns: ns }), 'prod/api\n');
    const out = await run('nc', ['-q', '1', '127.0.0.1', '8080'], { netns: ns, input: 'hello\n' });
    assert.equal(out, 'prod/api\n');
  });

  it('answers each UDP datagram with namespace/name', async () => {
    const out = await run('nc', ['-u', '-w', '1', '127.0.0.1', '53'], {
      netns: ns,
      input: 'ping\n',
    });
    assert.equal(out, 'default/web');
  });

  it('stays small', async () => {
    const status = await import('node:fs/promises').then((fs) =>
      fs.readFile(`/proc/${plain!.pid}/status`, 'utf8'),
    );
    const anon = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1]);
    assert.ok(anon < 20_000, `private memory ${anon} kB`);
  });
});
