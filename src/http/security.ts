/**
 * TLS files and credentials for the HTTP server, read from the files the flags name: secrets never appear in a flag
 * value (visible in `ps`) nor in the environment. Unreadable or malformed files are usage errors.
 */

import { readFileSync } from 'node:fs';
import { UsageError } from '../util/errors.js';
import type { HttpAuth } from './guard.js';
import type { TlsFiles } from './listen.js';

export interface HttpSecurity {
  readonly tls?: TlsFiles;
  readonly auth?: HttpAuth;
}

/** The files the HTTP flags name (--tls-cert, --tls-key, --auth-token-file, --basic-auth-file). */
export interface HttpSecurityFiles {
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly authTokenFile: string | undefined;
  readonly basicAuthFile: string | undefined;
}

export function loadHttpSecurity(config: HttpSecurityFiles): HttpSecurity {
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const tls =
    config.tlsCert && config.tlsKey
      ? { cert: readFlagFile('tls-cert', config.tlsCert), key: readFlagFile('tls-key', config.tlsKey) }
      : undefined;
  const bearerToken =
    config.authTokenFile === undefined ? undefined : secretLine('auth-token-file', config.authTokenFile);
  const basic =
    config.basicAuthFile === undefined
      ? undefined
      : userAndPassword(secretLine('basic-auth-file', config.basicAuthFile));
  const auth = bearerToken !== undefined || basic !== undefined ? { bearerToken, basic } : undefined;
  return { tls, auth };
}

/** A bearer token from the file a flag names (`--report-auth-token-file`, say), as for --auth-token-file. */
export function loadBearerToken(flag: string, path: string): HttpAuth {
  return { bearerToken: secretLine(flag, path) };
}

function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `cannot read --${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The file's content without the trailing newline editors add; it must not be empty. */
function secretLine(flag: string, path: string): string {
  const secret = readFlagFile(flag, path)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (secret === '' || secret.includes('\n')) throw new UsageError(`--${flag} ${path}: expected one non-empty line`);
  return secret;
}

function userAndPassword(line: string): { user: string; password: string } {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new UsageError('--basic-auth-file: expected "user:password"');
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}
