// Protobuf request bodies, which kubectl's typed clients send for `kubectl create namespace |
// deployment | service …` (`Content-Type: application/vnd.kubernetes.protobuf`): the
// runtime.Unknown envelope (`k8s\0` magic) and the fields of k8s.io/api those generators set.
// gogo-protobuf writes every non-pointer field, mostly as zero values; a field this decoder
// does not know is accepted only when it holds its zero value, anything else is refused with
// 415. So an object is either decoded faithfully or not at all. Zero values are left out, as
// Go's JSON `omitempty` would, except for pointer fields (e.g. `replicas: 0`).
import { unsupportedMediaType } from '../errors.js';
import type { JsonObject } from '../json.js';

/** 'ignored': a field the server drops anyway (status, which only its subresource writes). */
type Kind =
  | 'string'
  | 'int'
  | 'bool'
  | 'intOrString'
  | 'stringMap'
  | 'ignored'
  | Schema
  | { readonly list: Kind };

interface Field {
  readonly name: string;
  readonly kind: Kind;
  /** A Go pointer: present even when zero. */
  readonly pointer?: boolean;
}

interface Schema {
  readonly fields: Readonly<Record<number, Field>>;
}

const f = (name: string, kind: Kind, pointer = false): Field => ({ name, kind, pointer });
const msg = (fields: Record<number, Field>): Schema => ({ fields });
const list = (kind: Kind): Kind => ({ list: kind });

const objectMeta = msg({
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  11: f('labels', 'stringMap'),
  12: f('annotations', 'stringMap'),
});
const labelSelector = msg({
  1: f('matchLabels', 'stringMap'),
  2: f(
    'matchExpressions',
    list(
      msg({ 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', list('string')) }),
    ),
  ),
});
const container = msg({
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: f('command', list('string')),
  4: f('args', list('string')),
  5: f('workingDir', 'string'),
  6: f(
    'ports',
    list(
      msg({
        1: f('name', 'string'),
        2: f('hostPort', 'int'),
        3: f('containerPort', 'int'),
        4: f('protocol', 'string'),
        5: f('hostIP', 'string'),
      }),
    ),
  ),
  7: f('env', list(msg({ 1: f('name', 'string'), 2: f('value', 'string') }))),
  13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'),
  16: f('stdin', 'bool'),
  17: f('stdinOnce', 'bool'),
  18: f('tty', 'bool'),
  20: f('terminationMessagePolicy', 'string'),
});
const podSpec = msg({
  2: f('containers', list(container)),
  3: f('restartPolicy', 'string'),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', 'stringMap'),
  8: f('serviceAccountName', 'string'),
  10: f('nodeName', 'string'),
  11: f('hostNetwork', 'bool'),
  16: f('hostname', 'string'),
  17: f('subdomain', 'string'),
  19: f('schedulerName', 'string'),
  20: f('initContainers', list(container)),
});
const kinds: Readonly<Record<string, Schema>> = {
  'v1/Namespace': msg({
    1: f('metadata', objectMeta),
    2: f('spec', msg({ 1: f('finalizers', list('string')) })),
    3: f('status', msg({ 1: f('phase', 'string') })),
  }),
  'v1/Pod': msg({ 1: f('metadata', objectMeta), 2: f('spec', podSpec), 3: f('status', 'ignored') }),
  'v1/Service': msg({
    1: f('metadata', objectMeta),
    2: f(
      'spec',
      msg({
        1: f(
          'ports',
          list(
            msg({
              1: f('name', 'string'),
              2: f('protocol', 'string'),
              3: f('port', 'int'),
              4: f('targetPort', 'intOrString'),
              5: f('nodePort', 'int'),
            }),
          ),
        ),
        2: f('selector', 'stringMap'),
        3: f('clusterIP', 'string'),
        4: f('type', 'string'),
        5: f('externalIPs', list('string')),
        7: f('sessionAffinity', 'string'),
        8: f('loadBalancerIP', 'string'),
        10: f('externalName', 'string'),
        11: f('externalTrafficPolicy', 'string'),
      }),
    ),
    3: f('status', 'ignored'),
  }),
  'apps/v1/Deployment': msg({
    1: f('metadata', objectMeta),
    2: f(
      'spec',
      msg({
        1: f('replicas', 'int', true),
        2: f('selector', labelSelector),
        3: f('template', msg({ 1: f('metadata', objectMeta), 2: f('spec', podSpec) })),
        4: f('strategy', msg({ 1: f('type', 'string') })),
        5: f('minReadySeconds', 'int'),
        6: f('revisionHistoryLimit', 'int', true),
        7: f('paused', 'bool'),
        9: f('progressDeadlineSeconds', 'int', true),
      }),
    ),
    3: f('status', 'ignored'),
  }),
};

interface Wire {
  readonly num: number;
  readonly varint?: number;
  readonly bytes?: Buffer;
}

function refuse(why: string): Error {
  return unsupportedMediaType(`application/vnd.kubernetes.protobuf (${why})`, [
    'application/json',
    `application/vnd.kubernetes.protobuf for the fields kubectl's generators set (${why})`,
  ]);
}

function readVarint(b: Buffer, at: { i: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at.i >= b.length) throw refuse('truncated varint');
    const byte = b[at.i++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
}

function fields(b: Buffer): Wire[] {
  const out: Wire[] = [];
  const at = { i: 0 };
  while (at.i < b.length) {
    const key = readVarint(b, at);
    const num = Math.floor(key / 8);
    switch (key % 8) {
      case 0:
        out.push({ num, varint: readVarint(b, at) });
        break;
      case 2: {
        const len = readVarint(b, at);
        out.push({ num, bytes: b.subarray(at.i, at.i + len) });
        at.i += len;
        break;
      }
      default:
        throw refuse(`wire type ${key % 8}`);
    }
  }
  return out;
}

const isZero = (w: Wire): boolean => (w.bytes ? w.bytes.length === 0 : w.varint === 0);
const EMPTY = Buffer.alloc(0);
const text = (w: Wire | undefined): string => w?.bytes?.toString('utf8') ?? '';
const field = (ws: readonly Wire[], num: number): Wire | undefined => ws.find((w) => w.num === num);

function scalar(kind: Kind, w: Wire, path: string): unknown {
  switch (kind) {
    case 'string':
      return text(w);
    case 'int':
      return w.varint ?? 0;
    case 'bool':
      return w.varint === 1;
    case 'intOrString': {
      // IntOrString{type: 0 int | 1 string, intVal, strVal}; an int 0 means unset.
      const ws = fields(w.bytes ?? EMPTY);
      if (field(ws, 1)?.varint === 1) return text(field(ws, 3));
      const n = field(ws, 2)?.varint ?? 0;
      return n === 0 ? undefined : n;
    }
    case 'stringMap':
    case 'ignored':
      throw new Error(`${path}: not a scalar`);
    default:
      return 'fields' in kind ? decode(kind, w.bytes ?? EMPTY, path) : undefined;
  }
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === '' ||
    v === 0 ||
    v === false ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
  );
}

function decode(schema: Schema, b: Buffer, path: string): JsonObject {
  const out: JsonObject = {};
  for (const w of fields(b)) {
    const def = schema.fields[w.num];
    if (!def) {
      if (!isZero(w)) throw refuse(`unsupported field ${path}#${w.num}`);
      continue;
    }
    const at = `${path}.${def.name}`;
    const kind = def.kind;
    if (kind === 'ignored') continue;
    if (kind === 'stringMap') {
      // A map entry is a message {1: key, 2: value}, one per entry.
      const entry = fields(w.bytes ?? EMPTY);
      out[def.name] = {
        ...((out[def.name] as JsonObject | undefined) ?? {}),
        [text(field(entry, 1))]: text(field(entry, 2)),
      };
    } else if (typeof kind === 'object' && 'list' in kind) {
      out[def.name] = [
        ...((out[def.name] as unknown[] | undefined) ?? []),
        scalar(kind.list, w, at),
      ];
    } else {
      const v = scalar(kind, w, at);
      if (def.pointer || !isEmpty(v)) out[def.name] = v;
    }
  }
  return out;
}

const MAGIC = Buffer.from('k8s\0', 'latin1');

/** The object in a protobuf request body, as the JSON kubectl would have sent. */
export function decodeProtobufBody(body: Buffer): JsonObject {
  if (!body.subarray(0, 4).equals(MAGIC)) throw refuse('no k8s envelope');
  // runtime.Unknown{1: typeMeta{1: apiVersion, 2: kind}, 2: raw}
  const envelope = fields(body.subarray(4));
  const typeMeta = fields(field(envelope, 1)?.bytes ?? EMPTY);
  const apiVersion = text(field(typeMeta, 1));
  const kind = text(field(typeMeta, 2));
  const schema = kinds[`${apiVersion}/${kind}`];
  if (!schema) throw refuse(`kind ${apiVersion}/${kind}`);
  return { apiVersion, kind, ...decode(schema, field(envelope, 2)?.bytes ?? EMPTY, kind) };
}
