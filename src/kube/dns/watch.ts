// Services and Endpoints from the API server (list + watch, through the kube controllers'
// shared informers) into ServiceRecords. Resolves once both have listed, with every record of
// that first list emitted, so a caller can tell its feed complete.
import type { KubeConfig } from '@kubernetes/client-node';
import { SharedInformers } from '../controllers/informers.js';
import type { RecordChange } from './records.js';
import { ServiceRecords } from './services.js';

export async function watchServiceRecords(
  kc: KubeConfig,
  zone: string,
  emit: (change: RecordChange) => void,
  log: (msg: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const informers = new SharedInformers(kc, log);
  const records = new ServiceRecords(zone, emit);
  const services = informers.store('services');
  const endpoints = informers.store('endpoints');
  services.on('add', (s) => records.upsertService(s));
  services.on('update', (s) => records.upsertService(s));
  services.on('delete', (s) => records.deleteService(s));
  endpoints.on('add', (e) => records.upsertEndpoints(e));
  endpoints.on('update', (e) => records.upsertEndpoints(e));
  endpoints.on('delete', (e) => records.deleteEndpoints(e));
  await informers.start();
  return { stop: () => informers.stop() };
}
