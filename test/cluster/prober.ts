// A probe loop that runs inside a pod's network namespace, started by ProbeLoop
// (`ip netns exec NS node prober.js IP PORT TCP|UDP INTERVAL_MS TIMEOUT_MS`). Every INTERVAL_MS
// it starts one attempt, without waiting for the previous ones, so a verdict change is seen
// within one interval even while blocked attempts wait for their timeout. TCP: reachable when
// the connection is established; UDP: when a reply comes back. Each finished attempt prints
// `SEQ START_EPOCH_MS 1|0`. It exits when its stdin closes, so it never outlives its caller.
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';

function tcpAttempt(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function udpAttempt(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    socket.once('message', () => done(true));
    // A connected UDP socket reports ICMP port/host unreachable as an error.
    socket.once('error', () => done(false));
    socket.connect(port, ip, () => socket.send('probe'));
  });
}

function main(args: readonly string[]): void {
  const [ip, portText, protocol, intervalText, timeoutText] = args;
  const attempt = protocol === 'UDP' ? udpAttempt : tcpAttempt;
  let seq = 0;
  const timer = setInterval(() => {
    const n = seq++;
    const start = Date.now();
    void attempt(ip!, Number(portText), Number(timeoutText)).then((ok) =>
      process.stdout.write(`${n} ${start} ${ok ? 1 : 0}\n`),
    );
  }, Number(intervalText));
  process.stdin.resume();
  process.stdin.once('close', () => {
    clearInterval(timer);
    process.exit(0);
  });
}

// `node --test dist/test/` also loads this file, without arguments: then it does nothing.
if (process.argv.length === 7) main(process.argv.slice(2));
