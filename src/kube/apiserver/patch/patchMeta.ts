// The strategic-merge metadata of the built-in kinds served here: which lists merge, and by
// which key (the `patchStrategy:"merge" patchMergeKey:"…"` tags of k8s.io/api). A list not
// named here is atomic: a patch replaces it whole. This must agree with what kubectl computes
// from the same tags, or `kubectl apply` would drop or duplicate list items.

export interface PatchMeta {
  /** The schemas of an object's fields; for a list of objects, of each item's fields. */
  readonly fields?: Readonly<Record<string, PatchMeta>>;
  /** Marks a list merged by this key; '' marks a set of scalars. Absent: atomic list. */
  readonly mergeKey?: string;
}

const byName: PatchMeta = { mergeKey: 'name' };

const objectMeta: PatchMeta = {
  fields: { finalizers: { mergeKey: '' }, ownerReferences: { mergeKey: 'uid' } },
};

const container: PatchMeta = {
  fields: {
    ports: { mergeKey: 'containerPort' },
    env: byName,
    volumeMounts: { mergeKey: 'mountPath' },
    volumeDevices: { mergeKey: 'devicePath' },
  },
};

const podSpec: PatchMeta = {
  fields: {
    containers: { mergeKey: 'name', fields: container.fields },
    initContainers: { mergeKey: 'name', fields: container.fields },
    ephemeralContainers: { mergeKey: 'name', fields: container.fields },
    volumes: byName,
    imagePullSecrets: byName,
    hostAliases: { mergeKey: 'ip' },
    topologySpreadConstraints: { mergeKey: 'topologyKey' },
    schedulingGates: byName,
    resourceClaims: byName,
  },
};

const conditions: PatchMeta = { mergeKey: 'type' };

const podTemplate: PatchMeta = { fields: { metadata: objectMeta, spec: podSpec } };

function kind(fields: Record<string, PatchMeta>): PatchMeta {
  return { fields: { metadata: objectMeta, ...fields } };
}

export const POD_PATCH = kind({
  spec: podSpec,
  status: {
    fields: {
      conditions,
      podIPs: { mergeKey: 'ip' },
      hostIPs: { mergeKey: 'ip' },
      resourceClaimStatuses: byName,
    },
  },
});

const workloadStatus: PatchMeta = { fields: { conditions } };

export const DEPLOYMENT_PATCH = kind({
  spec: { fields: { template: podTemplate } },
  status: workloadStatus,
});
export const REPLICASET_PATCH = DEPLOYMENT_PATCH;
export const STATEFULSET_PATCH = DEPLOYMENT_PATCH;

export const SERVICE_PATCH = kind({
  spec: { fields: { ports: { mergeKey: 'port' } } },
  status: { fields: { conditions } },
});

export const NODE_PATCH = kind({
  spec: { fields: { podCIDRs: { mergeKey: '' } } },
  status: { fields: { conditions, addresses: { mergeKey: 'type' } } },
});

export const NAMESPACE_PATCH = kind({ status: { fields: { conditions } } });

/** Kinds whose only merge lists are in metadata (NetworkPolicy, Endpoints, Event). */
export const PLAIN_PATCH = kind({});
