/**
 * A real redis-server for tests, on a free localhost port, in a temp dir removed on teardown. It also listens on a
 * unix socket, so a test can restart it reachable on the socket only, set up its subscriber, and only then open the
 * TCP port the exporter publishes to: no message can reach the server before the subscriber is there.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { eventually } from '../harness/cluster.js';
import { freePort, stopChild } from '../harness/process.js';

export interface TestRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly socket: string;
  /** Starts the server; with `tcp: false` it listens on the unix socket only until openTcp(). */
  start(options?: { tcp?: boolean }): Promise<void>;
  openTcp(): Promise<void>;
  stop(): Promise<void>;
  /** A client on the unix socket, closed on teardown. */
  client(): Redis;
}

export async function startTestRedis(
  t: ExecutionContext,
  options: { tcp?: boolean; started?: boolean } = {},
): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-api-exporter-redis-'));
  const socket = join(dir, 'redis.sock');
  const port = await freePort();
  const clients: Redis[] = [];
  let server: ChildProcess | undefined;

  const admin = () => {
    const client = new Redis({ path: socket, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {}); // connect() rejects with the same error
    return client;
  };
  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    socket,
    async start({ tcp = true } = {}) {
      server = spawn(
        'redis-server',
        [
          '--port',
          tcp ? String(port) : '0',
          '--bind',
          '127.0.0.1',
          '--unixsocket',
          socket,
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      await eventually(async () => {
        const client = admin();
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      }, 'redis-server up');
    },
    async openTcp() {
      const client = admin();
      await client.connect();
      await client.config('SET', 'port', String(port));
      client.disconnect();
    },
    async stop() {
      const child = server;
      server = undefined;
      if (child) await stopChild(child, 'SIGKILL');
    },
    client() {
      const client = new Redis({ path: socket, retryStrategy: () => 50 });
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
  };
  t.teardown(async () => {
    for (const client of clients) client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  if (options.started ?? true) await redis.start({ tcp: options.tcp ?? true });
  return redis;
}

/** A subscriber to the channel, on the unix socket, resubscribing by itself after a restart. */
export async function subscribe(redis: TestRedis, channel: string): Promise<string[]> {
  const messages: string[] = [];
  const subscriber = redis.client();
  subscriber.on('message', (_channel: string, message: string) => messages.push(message));
  await subscriber.subscribe(channel);
  return messages;
}

/** True once the channel has a subscriber on the server as it runs now. */
export async function hasSubscriber(redis: TestRedis, channel: string): Promise<boolean> {
  const client = redis.client();
  try {
    const [, count] = (await client.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count) > 0;
  } finally {
    client.disconnect();
  }
}
