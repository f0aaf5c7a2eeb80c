/**
 * Errors of the gateway, each with a stable `code` and the HTTP status it becomes. The proxy
 * turns them into answers in one place (`sendError` in proxy/respond.ts).
 */
import { BatonError } from '../core/errors.js';

/** Stable codes of the answers the gateway gives itself. */
export type GatewayErrorCode =
  | 'no-route'
  | 'body-too-large'
  | 'no-endpoint'
  | 'upstream-unreachable'
  | 'upstream-timeout'
  | 'bad-request'
  | 'request-header-too-large'
  | 'not-implemented'
  | 'version-not-supported'
  | 'upstream-invalid-response'
  | 'shutting-down';

const STATUS: Record<GatewayErrorCode, number> = {
  'no-route': 404,
  'body-too-large': 413,
  'no-endpoint': 503,
  'upstream-unreachable': 502,
  'upstream-timeout': 504,
  'bad-request': 400,
  'request-header-too-large': 431,
  'not-implemented': 501,
  'version-not-supported': 505,
  'upstream-invalid-response': 502,
  'shutting-down': 503,
};

/** A request the gateway answers itself; `route` and `cluster` name where it was going. */
export class GatewayError extends BatonError {
  readonly status: number;
  constructor(
    override readonly code: GatewayErrorCode,
    message: string,
    readonly route?: string,
    readonly cluster?: string,
  ) {
    super(code, message, { route, cluster });
    this.status = STATUS[code];
  }
}

/** The admin API could not apply a config; `problems` lists each with its JSON path. */
export class GatewayConfigError extends BatonError {
  constructor(
    message: string,
    readonly problems: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super('invalid-gateway-config', message, { problems });
  }
}
