// The agent is SIGKILLed and restarted while a TCP connection between two pods streams data:
// the connection survives (no flow is deleted on the way), the pods keep their addresses — even
// with the IPAM file lost, from OVSDB — new pods get other ones, and a full PodCIDR answers CNI
// error 11 naming the range.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getJson, TestNode } from './node.js';
import type { Sandbox } from './runtime.js';

/** A /29: five pod addresses (.2-.6), so exhaustion is reached with a handful of pods. */
const CIDR = '10.125.0.0/29';
const PORT = 9000;

// Server: counts bytes and connections, prints them every 100 ms. Client: writes 1 KB every
// 5 ms on one connection. Either prints {"error"|"closed"} if the connection breaks.
const SERVER = `const net=require('net');let total=0,conns=0;
net.createServer(c=>{conns++;c.on('data',d=>total+=d.length);
c.on('error',e=>console.log(JSON.stringify({error:e.code})));c.on('close',()=>console.log(JSON.stringify({closed:true})))})
.listen(${PORT},process.argv[1],()=>setInterval(()=>console.log(JSON.stringify({total,conns})),100));`;
const CLIENT = `const net=require('net');const c=net.connect(${PORT},process.argv[1]);const buf=Buffer.alloc(1024);
c.on('connect',()=>setInterval(()=>c.write(buf),5));
c.on('error',e=>{console.log(JSON.stringify({error:e.code}));process.exit(1)});
c.on('close',()=>{console.log(JSON.stringify({closed:true}));process.exit(1)});`;

class Streamer {
  readonly lines: Record<string, unknown>[] = [];
  readonly child: ChildProcess;

  constructor(netns: string, script: string, ip: string) {
    this.child = spawn('nsenter', [`--net=${netns}`, process.execPath, '-e', script, ip], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    this.child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const p of parts) this.lines.push(JSON.parse(p) as Record<string, unknown>);
    });
  }

  last(): Record<string, unknown> | undefined {
    return this.lines.at(-1);
  }

  broken(): Record<string, unknown>[] {
    return this.lines.filter((l) => 'error' in l || 'closed' in l);
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

let node: TestNode;
const streamers: Streamer[] = [];

before(async () => {
  node = await TestNode.start('cnir', CIDR);
  await node.startAgent();
});

after(async () => {
  for (const s of streamers) s.stop();
  if (process.env.CNI_TEST_LOG) process.stderr.write((await node?.log()) ?? '');
  await node?.cleanup();
});

async function add(sb: Sandbox): Promise<string> {
  const r = await node.runtime.add(sb);
  assert.equal(r.code, 0, r.stdout);
  return String((r.json as { ips: { address: string }[] }).ips[0].address.split('/')[0]);
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await sleep(50)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

test('SIGKILL and restart of the agent: the TCP stream goes on, no address is handed out twice', async (t) => {
  const [a, b] = [await node.sandbox('client'), await node.sandbox('server')];
  const [ipA, ipB] = [await add(a), await add(b)];
  const server = new Streamer(b.netns, SERVER, ipB);
  streamers.push(server);
  // The server prints its counters once it listens; the client must not connect before.
  await until('the server listening', () => server.lines.length > 0, 30_000);
  const client = new Streamer(a.netns, CLIENT, ipB);
  streamers.push(client);
  const total = (): number => Number(server.last()?.total ?? 0);
  await until('data flowing', () => total() > 20_000, 30_000);

  const flowsBefore = (await node.snapshot()).flows;
  const interfacesBefore = (await getJson(node.apiSocket, '/podinterfaces')).body;
  await node.stopAgent('SIGKILL');
  // Lose the IPAM file too: the addresses of running pods must come back from OVSDB.
  await rm(join(node.dir, 'state', 'ipam.json'));
  const atKill = total();
  const conf11 = JSON.stringify({ ...node.runtime.config(), cniVersion: '1.1.0' });
  const status = await node.runtime.exec(node.runtime.env('STATUS'), conf11);
  assert.equal(status.json?.code, 50, `STATUS without the agent: ${status.stdout}`);
  const retry = await node.runtime.add(await node.sandbox('while-down'));
  assert.equal(retry.json?.code, 11, `ADD without the agent: ${retry.stdout}`);
  await until('data flowing with the agent dead', () => total() > atKill + 20_000);
  const restartAt = Date.now();
  await node.startAgent();
  t.diagnostic(`agent restarted and ready in ${Date.now() - restartAt} ms`);
  const atRestart = total();
  await until('data flowing after the restart', () => total() > atRestart + 20_000);

  assert.deepEqual([...server.broken(), ...client.broken()], [], 'the connection never broke');
  assert.equal(server.last()?.conns, 1, 'one connection all along');
  assert.deepEqual((await node.snapshot()).flows, flowsBefore, 'the same flows after the restart');
  assert.deepEqual((await getJson(node.apiSocket, '/podinterfaces')).body, interfacesBefore);

  const more = [
    await node.sandbox('more-0'),
    await node.sandbox('more-1'),
    await node.sandbox('more-2'),
  ];
  const ips = [ipA, ipB];
  for (const sb of more) ips.push(await add(sb));
  assert.equal(new Set(ips).size, 5, `five distinct addresses: ${ips.join(' ')}`);

  const before = await node.snapshot();
  const full = await node.runtime.add(await node.sandbox('one-too-many'));
  assert.notEqual(full.code, 0);
  assert.equal(full.json?.code, 11, full.stdout);
  assert.match(String(full.json?.msg), /10\.125\.0\.0\/29/);
  assert.deepEqual(await node.snapshot(), before, 'the failed ADD left nothing');
});
