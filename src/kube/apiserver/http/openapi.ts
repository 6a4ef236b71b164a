// /openapi/v2, which kubectl downloads (as protobuf only) before `apply`/`create` to validate
// manifests client-side; without it kubectl refuses with "failed to download openapi". The
// document served is a valid gnostic OpenAPIv2 Document with no definitions: kubectl then
// skips client-side schema checks for every kind (it does so for kinds it finds no schema
// for) and relies on this server's validation, and picks patch types from its built-in types.
import { KUBE_VERSION } from './discovery.js';

/** The Content-Type kube answers with (clients ask with `…spec.v2@v1.0+protobuf`). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** A protobuf length-delimited field (wire type 2) holding `payload`. */
function field(num: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([(num << 3) | 2, ...len]), payload]);
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Document{swagger: "2.0", info: Info{title, version}} (openapi_v2.Document fields 1 and 2). */
export const OPENAPI_V2_DOCUMENT: Buffer = Buffer.concat([
  field(1, text('2.0')),
  field(2, Buffer.concat([field(1, text('Kubernetes')), field(2, text(KUBE_VERSION.gitVersion))])),
]);
