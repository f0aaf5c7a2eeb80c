import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bindListenSocket } from './listen-socket.js';

/** 'refused' or 'connected' for one TCP connection to `port`. */
function dial(port: number): Promise<'refused' | 'connected'> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', () => resolve('refused'));
  });
}

describe('bindListenSocket', () => {
  it('binds without listening: the controller itself never accepts a connection', async () => {
    const held = await bindListenSocket('127.0.0.1', 0);
    if (!held) throw new Error('this Node has net._createServerHandle');
    try {
      expect(held.port).toBeGreaterThan(0);
      expect(held.fd).toBeGreaterThan(2);
      expect(await dial(held.port)).toBe('refused');
    } finally {
      held.close();
    }
  });

  it('names the address when the port is in use', async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as AddressInfo).port;
    try {
      await expect(bindListenSocket('127.0.0.1', port)).rejects.toMatchObject({ code: 'address-in-use', message: expect.stringContaining(`127.0.0.1:${port}`) as unknown });
    } finally {
      other.close();
    }
  });

  it('frees the port on close, and closing twice is harmless', async () => {
    const held = await bindListenSocket('localhost', 0);
    if (!held) throw new Error('this Node has net._createServerHandle');
    held.close();
    held.close();
    const again = await bindListenSocket('127.0.0.1', held.port);
    expect(again?.port).toBe(held.port);
    again?.close();
  });
});
