// UUID-shaped names derived from content, so a restarted controller names objects alike and
// agents that resync see no change.
import { hash } from 'node:crypto';

export function stableUuid(key: string): string {
  const h = hash('sha1', key);
  // join builds one flat string; a template would keep four concatenation nodes alive beside it.
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20, 32)].join(
    '-',
  );
}
