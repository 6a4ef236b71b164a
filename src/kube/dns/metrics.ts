// The DNS server's Prometheus metrics on :9153/metrics (the port kube-dns publishes), under
// CoreDNS's names so dashboards built for CoreDNS read them: requests by transport and question
// type, responses by rcode, and how many names the zone holds.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Answered } from './answer.js';

export class DnsMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'coredns_dns_requests_total',
    help: 'Counter of DNS requests made per zone, protocol and family.',
    labelNames: ['server', 'zone', 'proto', 'type'] as const,
    registers: [this.registry],
  });
  private readonly responses = new Counter({
    name: 'coredns_dns_responses_total',
    help: 'Counter of response status codes.',
    labelNames: ['server', 'zone', 'rcode'] as const,
    registers: [this.registry],
  });
  private server: Server | undefined;

  constructor(
    private readonly serverLabel: string,
    private readonly zone: string,
    names: () => number,
  ) {
    new Gauge({
      name: 'coredns_kubernetes_records',
      help: 'Names the zone answers for.',
      registers: [this.registry],
      collect() {
        this.set(names());
      },
    });
  }

  count(transport: 'udp' | 'tcp', answered: Answered): void {
    const common = { server: this.serverLabel, zone: `${this.zone}.` };
    this.requests.inc({ ...common, proto: transport, type: answered.qtype });
    this.responses.inc({ ...common, rcode: answered.rcode });
  }

  /** Serves /metrics; returns the port (0: any free one). */
  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void this.registry
        .metrics()
        .then((text) =>
          res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        );
    });
    server.listen(port, host);
    await once(server, 'listening');
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise((r) => this.server!.close(r));
  }
}
