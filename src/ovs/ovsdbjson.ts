// Reads `ovs-vsctl --format=json` output: one `{"data":[[…]],"headings":[…]}` table per
// command, one per line. Values use OVSDB's JSON notation (RFC 7047): atoms as JSON scalars,
// `["uuid","…"]`, `["set",[…]]` (a set of one is written as the bare atom) and
// `["map",[[k,v],…]]`.

export type OvsdbAtom = string | number | boolean | readonly ['uuid' | 'named-uuid', string];
export type OvsdbValue =
  | OvsdbAtom
  | readonly ['set', readonly OvsdbAtom[]]
  | readonly ['map', readonly (readonly [OvsdbAtom, OvsdbAtom])[]];

export type OvsdbRow = Readonly<Record<string, OvsdbValue>>;

interface JsonTable {
  readonly headings: readonly string[];
  readonly data: readonly (readonly OvsdbValue[])[];
}

/** The tables printed by a multi-command `ovs-vsctl --format=json` run, in command order. */
export function parseTables(stdout: string): OvsdbRow[][] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const table = JSON.parse(line) as JsonTable;
      return table.data.map((values) =>
        Object.fromEntries(table.headings.map((h, i) => [h, values[i]])),
      );
    });
}

function isTagged(v: OvsdbValue, tag: string): boolean {
  return Array.isArray(v) && v[0] === tag;
}

/** The members of a set column (a bare atom is a set of one). */
export function setOf(v: OvsdbValue | undefined): OvsdbAtom[] {
  if (v === undefined) return [];
  if (isTagged(v, 'set')) return [...(v as readonly ['set', readonly OvsdbAtom[]])[1]];
  return [v as OvsdbAtom];
}

function atomText(a: OvsdbAtom): string {
  return typeof a === 'object' ? a[1] : String(a);
}

/** A string column, or an optional one (a set of at most one): its text, or undefined if empty. */
export function stringOf(v: OvsdbValue | undefined): string | undefined {
  const [first] = setOf(v);
  return first === undefined ? undefined : atomText(first);
}

/** An integer column, or an optional one: its value, or undefined if empty. */
export function numberOf(v: OvsdbValue | undefined): number | undefined {
  const [first] = setOf(v);
  return typeof first === 'number' ? first : undefined;
}

/** The uuids in a uuid or set-of-uuid column. */
export function uuidsOf(v: OvsdbValue | undefined): string[] {
  return setOf(v).map(atomText);
}

/** A string→string map column. */
export function mapOf(v: OvsdbValue | undefined): Record<string, string> {
  if (v === undefined || !isTagged(v, 'map')) return {};
  const pairs = (v as readonly ['map', readonly (readonly [OvsdbAtom, OvsdbAtom])[]])[1];
  return Object.fromEntries(pairs.map(([k, val]) => [atomText(k), atomText(val)]));
}
