// apps/v1 kinds the local cluster's controllers run: Deployment, ReplicaSet, StatefulSet
// (the fields they read and write; the API server keeps the rest of an object untouched).
import type { Pod } from './core.js';
import type { IntOrString, KubeObject, LabelSelector, ObjectMeta } from './meta.js';

export interface PodTemplateSpec {
  readonly metadata?: ObjectMeta;
  readonly spec?: Pod['spec'];
}

/** Deployment and ReplicaSet conditions (Available, Progressing, ReplicaFailure). */
export interface WorkloadCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastUpdateTime?: string;
  readonly lastTransitionTime?: string;
}

export interface Deployment extends KubeObject {
  readonly kind?: 'Deployment';
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: LabelSelector;
    readonly template?: PodTemplateSpec;
    readonly minReadySeconds?: number;
    readonly revisionHistoryLimit?: number;
    readonly paused?: boolean;
    readonly strategy?: {
      readonly type?: 'Recreate' | 'RollingUpdate';
      readonly rollingUpdate?: {
        readonly maxSurge?: IntOrString;
        readonly maxUnavailable?: IntOrString;
      };
    };
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly unavailableReplicas?: number;
    readonly conditions?: readonly WorkloadCondition[];
    readonly collisionCount?: number;
  };
}

export interface ReplicaSet extends KubeObject {
  readonly kind?: 'ReplicaSet';
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: LabelSelector;
    readonly template?: PodTemplateSpec;
    readonly minReadySeconds?: number;
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly fullyLabeledReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
  };
}

export interface StatefulSet extends KubeObject {
  readonly kind?: 'StatefulSet';
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: LabelSelector;
    readonly template?: PodTemplateSpec;
    readonly serviceName?: string;
    readonly minReadySeconds?: number;
    readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
    readonly updateStrategy?: {
      readonly type?: 'RollingUpdate' | 'OnDelete';
      readonly rollingUpdate?: { readonly partition?: number };
    };
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly currentReplicas?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
    readonly currentRevision?: string;
    readonly updateRevision?: string;
    readonly collisionCount?: number;
  };
}
