// The hash that names a pod template's revision: `pod-template-hash` of a Deployment's
// ReplicaSets (nginx-deployment-<hash>) and `controller-revision-hash` of a StatefulSet's pods.
// Kube hashes the Go struct with FNV-32a and spells the number with its "safe" alphabet;
// this hashes the template's canonical JSON (keys sorted) the same way, so equal templates
// get equal hashes however their JSON was ordered.

/** kube's rand.SafeEncodeString alphabet: no vowels, no look-alikes (0/o, 1/l). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted at every level; undefined members left out as JSON does. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v))
    return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Each decimal digit mapped into the safe alphabet, as kube's SafeEncodeString does. */
function safeEncode(s: string): string {
  return [...s].map((c) => ALPHABET[c.charCodeAt(0) % ALPHABET.length]).join('');
}

/** `collisionCount` (status.collisionCount) changes the hash after a name collision. */
export function templateHash(template: unknown, collisionCount = 0): string {
  const text = canonicalJson(template) + (collisionCount > 0 ? String(collisionCount) : '');
  return safeEncode(String(fnv32a(text)));
}
