// The parts of the CNI specification (1.0.0, plus GC/STATUS of 1.1.0) that the plugin and the
// agent's CNI server share: versions, error codes, the error object and the result shapes.
// Imported by the plugin executable, so it must stay free of any dependency.

/** Every version whose config this plugin accepts; results are written in the requested one. */
export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST_VERSION: CniVersion = '1.1.0';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION' | 'GC' | 'STATUS';

/** The spec's well-known codes (1-99) and Antrea's plugin-specific ones (100+). */
export const ErrorCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IOFailure: 5,
  DecodingFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  /** STATUS: the plugin cannot serve ADD now (CNI 1.1). */
  PluginNotAvailable: 50,
  IPAMFailure: 101,
  ConfigInterfaceFailure: 102,
  CheckInterfaceFailure: 103,
  /** libcni's ErrInternal: a bug rather than a condition the caller can act on. */
  Internal: 999,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The spec's error object, written to stdout with a non-zero exit code. */
export interface CniErrorObject {
  readonly cniVersion: string;
  readonly code: number;
  readonly msg: string;
  readonly details?: string;
}

/** A failure that becomes the spec's error object; anything else thrown is a bug (code 999). */
export class CniError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly details?: string,
  ) {
    super(msg);
    this.name = 'CniError';
  }

  toObject(cniVersion: string): CniErrorObject {
    return {
      cniVersion,
      code: this.code,
      msg: this.message,
      ...(this.details === undefined || this.details === '' ? {} : { details: this.details }),
    };
  }
}

export interface CniInterface {
  readonly name: string;
  readonly mac?: string;
  /** The netns path, for interfaces inside the container. */
  readonly sandbox?: string;
}

export interface CniIPConfig {
  /** 0.3.x/0.4.0 only: `"4"` or `"6"`. */
  readonly version?: '4' | '6';
  /** CIDR notation: the address and the prefix length of its subnet. */
  readonly address: string;
  readonly gateway?: string;
  /** Index into `interfaces`. */
  readonly interface?: number;
}

export interface CniRoute {
  readonly dst: string;
  readonly gw?: string;
}

export interface CniResult {
  readonly cniVersion: string;
  readonly interfaces?: readonly CniInterface[];
  readonly ips?: readonly CniIPConfig[];
  readonly routes?: readonly CniRoute[];
  readonly dns?: Readonly<Record<string, unknown>>;
}

export interface VersionResult {
  readonly cniVersion: string;
  readonly supportedVersions: readonly string[];
}

/** Default unix socket of the agent's CNI server, as in Antrea. */
export const DEFAULT_CNI_SOCKET = '/var/run/antrea/cni.sock';

/** What the plugin sends to the agent: the CNI inputs as received, one JSON line. */
export interface CniServerRequest {
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: string;
}

/** The agent's answer, one JSON line: what the plugin prints, and whether that is a failure. */
export type CniServerResponse =
  | { readonly result: CniResult | Readonly<Record<string, never>> }
  | { readonly error: CniErrorObject };
