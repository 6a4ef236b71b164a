// What the kubelet keeps on disk about each of its pods, so that a restarted kubelet re-adopts
// running pods instead of recreating them, and can still tear down a pod deleted while it was
// away (its netns, its CNI attachment, its processes). One directory per pod uid:
//
//   STATE/pods/UID/pod.json         the PodRecord below (written atomically on every change)
//   STATE/pods/UID/NAME.log         the current (or last) instance's stdout+stderr
//   STATE/pods/UID/NAME.previous.log  the instance before it (`logs --previous`)
//   STATE/pods/UID/NAME.exit        the exit code, written by the instance's wrapper shell
//
// The record is written before the netns is created, so a crash at any point leaves something
// that teardown finds.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CniResult } from '../../cni/spec.cjs';

/** How a container instance ended, as in ContainerStateTerminated. */
export interface Termination {
  readonly exitCode: number;
  readonly reason: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt: string;
  readonly containerID?: string;
}

/** A running process of a container (its wrapper shell, the leader of its process group). */
export interface Instance {
  /** 64 hex digits, shown as `local://ID` in containerStatuses. */
  readonly id: string;
  readonly pid: number;
  /** Field 22 of /proc/PID/stat: tells a re-adopted pid from a reused one. */
  readonly pidStart: string;
  readonly startedAt: string;
}

export interface ContainerRecord {
  readonly name: string;
  restartCount: number;
  /** Set while an instance runs. */
  running?: Instance;
  /** The most recent termination, and the one before it (for lastState). */
  last?: Termination;
  prior?: Termination;
  /** No further instance will start (restart policy, or an init container that succeeded). */
  done: boolean;
  /** Why no instance runs now (CrashLoopBackOff, ContainerCreating, …). */
  waiting?: { readonly reason: string; readonly message?: string };
}

export interface PodRecord {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** The netns the processes run in; for hostNetwork pods the node's (not ours to delete). */
  readonly netns: string | undefined;
  readonly hostNetwork: boolean;
  /** /etc/resolv.conf of the pod's netns (resolvconf.ts); absent: the node's. */
  readonly resolvConf?: string | undefined;
  /** CNI_CONTAINERID (the "pause container" of a real runtime), 64 hex digits. */
  readonly sandboxId: string;
  /** The final result of CNI ADD, kept as DEL's prevResult. Absent until ADD succeeded. */
  cniResult?: CniResult;
  /** Set once the netns and its network are up. */
  ips?: readonly string[];
  startTime?: string;
  readonly initContainers: ContainerRecord[];
  readonly containers: ContainerRecord[];
}

export type LogKind = 'log' | 'previous.log' | 'exit';

/** The pods directory of one kubelet. Synchronous: records are small and writes are rare. */
export class RecordStore {
  private readonly root: string;

  constructor(stateDir: string) {
    this.root = join(stateDir, 'pods');
    mkdirSync(this.root, { recursive: true });
  }

  dir(uid: string): string {
    return join(this.root, uid);
  }

  file(uid: string, container: string, kind: LogKind): string {
    return join(this.root, uid, `${container}.${kind}`);
  }

  save(record: PodRecord): void {
    const dir = this.dir(record.uid);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, 'pod.json.tmp');
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, join(dir, 'pod.json'));
  }

  /** Every readable record; a directory without one (a crash before the first save) is dropped. */
  loadAll(): PodRecord[] {
    const records: PodRecord[] = [];
    for (const uid of readdirSync(this.root)) {
      try {
        records.push(
          JSON.parse(readFileSync(join(this.root, uid, 'pod.json'), 'utf8')) as PodRecord,
        );
      } catch {
        rmSync(this.dir(uid), { recursive: true, force: true });
      }
    }
    return records;
  }

  remove(uid: string): void {
    rmSync(this.dir(uid), { recursive: true, force: true });
  }
}
