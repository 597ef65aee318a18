/**
 * Redis URLs for `--queue`: parsed and checked up front, then probed with one short-lived connection, so a wrong or
 * unreachable URL fails in seconds with exit code 2 instead of hanging in the client's reconnect loop.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError } from '../args.ts';

/** A `--queue` URL that cannot be used (malformed, unreachable, not a Redis server). The CLI exits with code 2. */
export class QueueConnectionError extends UsageError {
  override name = 'QueueConnectionError';
}

/** Name of the BullMQ queue that carries shards. */
export const SHARD_QUEUE = 'srn-shards';

/**
 * The URL as it may be printed or recorded: a password is replaced by `***`.
 *
 * @example
 * ```ts
 * displayUrl('redis://:secret@10.0.0.5:6379/1'); // 'redis://:***@10.0.0.5:6379/1'
 * ```
 */
export function displayUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/**
 * Parses `redis://[user:password@]HOST[:PORT][/DB]` (or `rediss://` for TLS) into ioredis options.
 *
 * @example
 * ```ts
 * parseQueueUrl('redis://127.0.0.1:6379/2'); // { host: '127.0.0.1', port: 6379, db: 2 }
 * ```
 */
export function parseQueueUrl(url: string, option = '--queue'): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueConnectionError(`${option} ${JSON.stringify(displayUrl(url))} is not a URL; expected redis://HOST:PORT[/DB]`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new QueueConnectionError(`${option} ${displayUrl(url)}: the scheme must be redis:// or rediss://; got ${parsed.protocol}//`);
  }
  if (parsed.hostname === '') throw new QueueConnectionError(`${option} ${displayUrl(url)}: no host; expected redis://HOST:PORT[/DB]`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new QueueConnectionError(`${option} ${displayUrl(url)}: the database must be a number (redis://HOST:PORT/DB); got '${path}'`);
  const options: RedisOptions = { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, db: path === '' ? 0 : Number(path) };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/**
 * Connects once (no retries, `timeoutMs` at most), selects the database and sends PING; throws a
 * {@link QueueConnectionError} saying what went wrong. Returns the server's version.
 *
 * @example
 * ```ts
 * await probeQueue('redis://127.0.0.1:6379'); // '7.0.15'
 * ```
 */
export async function probeQueue(url: string, timeoutMs = 3000, option = '--queue'): Promise<string> {
  const options = parseQueueUrl(url, option);
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The client reports the socket's error here and then rejects commands with "Connection is closed".
  let socketError: NodeJS.ErrnoException | undefined;
  client.on('error', (error: NodeJS.ErrnoException) => {
    socketError ??= error;
  });
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}`);
    const info = await client.info('server');
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    const major = Number(version.split('.')[0]);
    if (Number.isFinite(major) && major < 5) throw new Error(`Redis ${version} is too old (BullMQ needs 5 or later)`);
    return version;
  } catch (error) {
    const cause = socketError ?? (error as NodeJS.ErrnoException);
    // A server that accepts the connection and never answers: ioredis says "Command timed out".
    const detail = cause.code ?? (/timed out/i.test(cause.message) ? `no answer within ${timeoutMs / 1000} s` : cause.message);
    throw new QueueConnectionError(`${option} ${displayUrl(url)}: cannot use this Redis server (${detail})`);
  } finally {
    client.disconnect();
  }
}

/**
 * Options of the long-lived connections (submitter, worker): commands wait through a Redis restart instead of
 * failing, because the probe has already shown the URL is right.
 *
 * @example
 * ```ts
 * new Queue(SHARD_QUEUE, { connection: durableConnection('redis://127.0.0.1:6379') });
 * ```
 */
export function durableConnection(url: string): RedisOptions {
  return { ...parseQueueUrl(url), maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(100 * times, 2000) };
}
