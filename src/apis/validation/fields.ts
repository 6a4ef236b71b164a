// Antrea's numFieldsSetInStruct: which fields of a peer, appliedTo or group spec are in use.
// Its "only one of" rules count them.

/** The keys whose values are set (not absent, null or the empty string, like Go's IsZero). */
export function setFields(obj: object): string[] {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k]) => k);
}
