/**
 * The gateway's listening socket, bound by the controller and handed to each gateway process it
 * starts, so the socket outlives any one gateway: while none runs (after a `kill -9`, before the
 * controller has started the next), new connections wait in the kernel's accept queue instead of
 * being refused, and the next gateway accepts them. Only requests in flight in the dead process
 * are lost.
 *
 * The controller must hold the socket without accepting on it, or it would take connections the
 * gateway should serve. So it only binds: `net._createServerHandle` (lib/net.js, the call
 * cluster's primary makes in lib/internal/cluster/shared_handle.js to share a listener with its
 * workers) returns a bound TCP handle that the event loop never polls. The gateway gets it as
 * file descriptor 3 and calls listen(2) on it (`server.listen({ fd: 3 })`); a socket stays in the
 * LISTEN state while any process holds it, so the controller's copy keeps it listening after the
 * gateway is gone. This is the classic inherited-listener hand-off (systemd socket activation,
 * nginx's binary upgrade, Envoy's hot restart).
 */
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { BatonError } from '../core/errors.js';

/** A bound TCP socket the controller holds for the gateway. */
export interface HeldListenSocket {
  /** The descriptor to pass to a child (it becomes the child's fd 3 when passed first). */
  readonly fd: number;
  readonly port: number;
  /** Closes the controller's copy; the socket ends once no gateway holds it either. */
  close(): void;
}

/** The parts of libuv's TCP handle (src/tcp_wrap.cc) used here. */
interface TcpServerHandle {
  readonly fd: number;
  getsockname(out: { port?: number }): number;
  close(): void;
}

type CreateServerHandle = (address: string, port: number, addressType: 4 | 6) => TcpServerHandle | number;

/**
 * Binds `host:port` without listening; undefined when this Node has no `_createServerHandle`
 * (the gateway then binds its own socket, as a standalone one does). A port in use is a
 * BatonError with code `address-in-use` naming the address.
 */
export async function bindListenSocket(host: string, port: number): Promise<HeldListenSocket | undefined> {
  // Internal but stable since Node 0.x (cluster depends on it); feature-tested, not assumed.
  const create = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof create !== 'function') return undefined;
  const ip = net.isIP(host) !== 0 ? host : (await lookup(host)).address;
  const result = create(ip, port, net.isIPv6(ip) ? 6 : 4);
  const address = `${host}:${port}`;
  if (typeof result === 'number') {
    const name = getSystemErrorName(result);
    if (name === 'EADDRINUSE') throw new BatonError('address-in-use', `${address} is in use by another process`, { address });
    throw new BatonError('listen-failed', `cannot bind ${address} (${name})`, { address });
  }
  const out: { port?: number } = {};
  result.getsockname(out);
  // libuv defers a bind's EADDRINUSE to listen() (uv__tcp_bind's delayed_error), leaving the
  // socket unbound: port 0 here. The gateway's listen would then pick a random port.
  if (!out.port || (port !== 0 && out.port !== port)) {
    result.close();
    throw new BatonError('address-in-use', `${address} is in use by another process`, { address });
  }
  let open = true;
  return {
    fd: result.fd,
    port: out.port,
    close: () => {
      if (open) result.close();
      open = false;
    },
  };
}
