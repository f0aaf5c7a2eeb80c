/**
 * Writes gathered per event-loop turn: the first write to a socket in a turn corks it, and
 * one `setImmediate` (which runs after the turn's I/O callbacks) uncorks every socket written
 * in the turn. The peers (the upstream, the clients) are then woken once per turn with their
 * data rather than once per write, which on a busy machine means far fewer context switches.
 */
import type { Socket } from 'node:net';

const corked: Socket[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  const n = corked.length;
  for (let i = 0; i < n; i++) (corked[i] as Socket).uncork();
  corked.length = 0;
}

/** `socket.write(data, encoding)`, sent at the end of the current turn at the latest. */
export function writeBatched(socket: Socket, data: string | Buffer, encoding: BufferEncoding = 'latin1'): boolean {
  if (socket.writableCorked === 0) {
    socket.cork();
    corked.push(socket);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }
  return typeof data === 'string' ? socket.write(data, encoding) : socket.write(data);
}
