// The built-in server: what a container without `command` runs in the local cluster (no image is
// pulled). The kubelet starts one per such container, inside the pod's network namespace:
//
//   node dist/src/kube/builtin-server/main.js '{"name":"ns/pod","nginx":true,"tcp":[80],"udp":[53]}'
//
// Every TCP port answers HTTP requests with a page (nginx's welcome page for `nginx…` images, the
// pod's `namespace/name` otherwise) and any other first bytes with `namespace/name\n`; every UDP
// port answers each datagram with `namespace/name`. About 300 of these run on one machine, so
// it imports only `net` and `dgram` (no `http`) and keeps no state per connection beyond a buffer.
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';

interface Config {
  /** `namespace/name` of the pod. */
  readonly name: string;
  readonly nginx: boolean;
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
}

const NGINX_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

/** A request line starts with an upper-case method and a space; a prefix of one may still be. */
const MAYBE_HTTP = /^([A-Z]{1,10}( |$)|$)/;
const HEADERS_END = /\r?\n\r?\n/;
const MAX_REQUEST_HEAD = 8192;
/** A client that says nothing (or never finishes its request) is dropped after this long. */
const IDLE_MS = 30_000;

function httpResponse(config: Config, method: string): string {
  const [type, body] = config.nginx
    ? ['text/html', NGINX_PAGE]
    : ['text/plain; charset=utf-8', `${config.name}\n`];
  const head =
    `HTTP/1.1 200 OK\r\nServer: antrea-ts-builtin\r\nContent-Type: ${type}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  return method === 'HEAD' ? head : head + body;
}

function serveConnection(config: Config, socket: Socket): void {
  let head = '';
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (!MAYBE_HTTP.test(head)) {
      socket.end(`${config.name}\n`);
    } else if (HEADERS_END.test(head)) {
      socket.end(httpResponse(config, head.slice(0, head.indexOf(' '))));
    } else if (head.length > MAX_REQUEST_HEAD) {
      socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
    } else {
      return;
    }
    socket.removeAllListeners('data');
  });
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '') as Config;
  // A port that cannot be bound ends the container with an error, as a real server's would.
  const fail = (err: Error): void => {
    console.error(`builtin-server ${config.name}: ${err.message}`);
    process.exit(1);
  };
  for (const port of config.tcp) {
    // No host: Node binds `::` (dual stack) or, where IPv6 is off, 0.0.0.0.
    createServer((s) => serveConnection(config, s))
      .on('error', fail)
      .listen(port, () => console.log(`listening on ${port}/TCP`));
  }
  const reply = Buffer.from(config.name);
  for (const port of config.udp) {
    const socket = createSocket('udp4');
    socket.on('error', fail);
    socket.on('message', (_msg, from) => socket.send(reply, from.port, from.address));
    socket.bind(port, () => console.log(`listening on ${port}/UDP`));
  }
  // Like a server with nothing to serve, it runs until stopped, even with no port declared.
  setInterval(() => undefined, 2 ** 30);
}

main();
