// One private Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath) whose every file —
// database, sockets, pidfiles, logs — lives in one directory, optionally inside a network
// namespace. Several of them run side by side, one per node. OVS_RUNDIR=dir makes vswitchd put
// bridge B's OpenFlow socket at dir/B.mgmt instead of /var/run/openvswitch.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../util/exec.js';

const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
const STOP_GRACE_MS = 3000;

type Program = 'ovsdb-server' | 'ovs-vswitchd';

const pidfile = (dir: string, program: Program): string => join(dir, `${program}.pid`);

function readPid(dir: string, program: Program): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidfile(dir, program), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** State letter and start time (clock ticks since boot) of a process, from /proc/PID/stat. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], start: fields[19] };
  } catch {
    return undefined;
  }
}

/**
 * True if `pid` is a live (not zombie) `program` started with this directory's pidfile: a pid
 * that the kernel reused for something else, or a daemon that died, is not ours.
 */
function isOurs(pid: number | undefined, dir: string, program: Program): pid is number {
  if (pid === undefined) return false;
  const stat = procStat(pid);
  if (stat === undefined || stat.state === 'Z') return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv[0].endsWith(program) && argv.includes(`--pidfile=${pidfile(dir, program)}`);
  } catch {
    return false;
  }
}

/**
 * Waits until the process that had start time `start` has fully exited (gone or a zombie; an
 * exiting process loses its cmdline before it is gone).
 */
async function waitExited(pid: number, start: string, ms: number): Promise<boolean> {
  const exited = (): boolean => {
    const stat = procStat(pid);
    return stat === undefined || stat.state === 'Z' || stat.start !== start;
  };
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (exited()) return true;
  return exited();
}

/** SIGTERM (OVS then removes its pidfile and sockets), SIGKILL if it does not go. */
async function terminate(pid: number | undefined, dir: string, program: Program): Promise<void> {
  if (!isOurs(pid, dir, program)) return;
  const start = procStat(pid)?.start ?? '';
  process.kill(pid, 'SIGTERM');
  if (!(await waitExited(pid, start, STOP_GRACE_MS))) {
    process.kill(pid, 'SIGKILL');
    await waitExited(pid, start, 1000);
  }
  if (readPid(dir, program) === pid) rmSync(pidfile(dir, program), { force: true });
}

function socketPaths(dir: string): { dbSocket: string; vswitchdCtl: string; ovsdbCtl: string } {
  return {
    dbSocket: join(dir, 'db.sock'),
    vswitchdCtl: join(dir, 'vswitchd.ctl'),
    ovsdbCtl: join(dir, 'ovsdb.ctl'),
  };
}

export class OvsDaemons {
  /** Path of ovsdb-server's unix socket (Vsctl takes it as `dbSocket`). */
  readonly dbSocket: string;
  /** ovs-appctl target of ovs-vswitchd (`ovs-appctl -t …`). */
  readonly vswitchdCtl: string;
  /** ovs-appctl target of ovsdb-server. */
  readonly ovsdbCtl: string;
  private readonly pids: { readonly ovsdb?: number; readonly vswitchd?: number };

  private constructor(
    readonly dir: string,
    readonly netns: string | undefined,
  ) {
    const paths = socketPaths(dir);
    this.dbSocket = paths.dbSocket;
    this.vswitchdCtl = paths.vswitchdCtl;
    this.ovsdbCtl = paths.ovsdbCtl;
    this.pids = { ovsdb: readPid(dir, 'ovsdb-server'), vswitchd: readPid(dir, 'ovs-vswitchd') };
  }

  /**
   * Creates the database if the directory has none (an existing one is kept, as on a node that
   * reboots), then starts both daemons. If anything fails, whatever was started is stopped.
   */
  static async start(opts: { dir: string; netns?: string }): Promise<OvsDaemons> {
    const dir = resolve(opts.dir); // the daemons chdir to / when they detach
    const netns = opts.netns;
    await mkdir(dir, { recursive: true });
    const db = join(dir, 'conf.db');
    if (!existsSync(db)) await run('ovsdb-tool', ['create', db, SCHEMA]);
    const env = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir };
    const common = (program: Program, ctl: string): string[] => [
      `--pidfile=${pidfile(dir, program)}`,
      `--log-file=${join(dir, `${program}.log`)}`,
      `--unixctl=${ctl}`,
      '--detach',
    ];
    const sockets = socketPaths(dir);
    const earlierVswitchd = readPid(dir, 'ovs-vswitchd');
    await run(
      'ovsdb-server',
      [db, `--remote=punix:${sockets.dbSocket}`, ...common('ovsdb-server', sockets.ovsdbCtl)],
      { netns, env },
    );
    try {
      // Like ovs-ctl, record the version in the database: that is where `ovs-vsctl show` and
      // an agent's OVS info read it from.
      const version = /\d+\.\d+\.\d+\S*/.exec(await run('ovs-vswitchd', ['--version']))?.[0];
      await run(
        'ovs-vsctl',
        [`--db=unix:${sockets.dbSocket}`, '--no-wait', 'init'].concat(
          version === undefined
            ? []
            : ['--', 'set', 'Open_vSwitch', '.', `ovs_version="${version}"`],
        ),
        { netns },
      );
      await run(
        'ovs-vswitchd',
        [`unix:${sockets.dbSocket}`, ...common('ovs-vswitchd', sockets.vswitchdCtl)],
        { netns, env },
      );
    } catch (e) {
      // Stop what this call started, never a daemon that ran before it.
      const vswitchd = readPid(dir, 'ovs-vswitchd');
      if (vswitchd !== earlierVswitchd) await terminate(vswitchd, dir, 'ovs-vswitchd');
      await terminate(readPid(dir, 'ovsdb-server'), dir, 'ovsdb-server');
      throw e;
    }
    return new OvsDaemons(dir, netns);
  }

  /** For an agent that restarts while its daemons keep running: the pids come from the pidfiles. */
  static attach(opts: { dir: string; netns?: string }): OvsDaemons {
    return new OvsDaemons(resolve(opts.dir), opts.netns);
  }

  /** `unix:DIR/BRIDGE.mgmt`, the OpenFlow target of a bridge for ovs-ofctl. */
  mgmtSocket(bridge: string): string {
    return `unix:${join(this.dir, `${bridge}.mgmt`)}`;
  }

  /** Whether each daemon (by the pid it had when started or attached) still runs. */
  async alive(): Promise<{ ovsdb: boolean; vswitchd: boolean }> {
    return {
      ovsdb: isOurs(this.pids.ovsdb, this.dir, 'ovsdb-server'),
      vswitchd: isOurs(this.pids.vswitchd, this.dir, 'ovs-vswitchd'),
    };
  }

  /** Stops exactly these two processes (vswitchd first); calling it again does nothing. */
  async stop(): Promise<void> {
    await terminate(this.pids.vswitchd, this.dir, 'ovs-vswitchd');
    await terminate(this.pids.ovsdb, this.dir, 'ovsdb-server');
  }
}
