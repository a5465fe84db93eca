// HOST as users type it (../shared/CLI.md): a name, an address, host:port, [v6]:port, or a URL
// such as https://nas:5001 or wss://nas/api/current.
import { isIP } from 'node:net';
import { AppError } from '../../../shared/errors';

export interface ParsedHost {
  host: string;
  port?: number;
  url?: string;
}

const URL_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ssh:', 'smb:', 'nfs:']);
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

function invalid(message: string, input: string): never {
  throw new AppError('INVALID_INPUT', message, { field: 'host', input: input.slice(0, 200) });
}

export function isHostName(name: string): boolean {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed.length > 0 && trimmed.length <= 253 && trimmed.split('.').every((l) => LABEL.test(l));
}

function checkHost(host: string, input: string): string {
  if (isIP(host)) return host;
  if (/^[\d.]+$/.test(host)) invalid(`"${host}" is not a valid IPv4 address`, input);
  if (!isHostName(host)) invalid(`"${host}" is not a valid host name or address`, input);
  return host.toLowerCase();
}

function checkPort(text: string, input: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) invalid(`Port "${text}" is not between 1 and 65535`, input);
  return port;
}

export function parseHost(input: string): ParsedHost {
  const text = input.trim();
  if (text === '') invalid('Address is empty', input);
  if (/[\s\u0000-\u001f\u007f]/.test(text)) invalid('Address contains spaces or control characters', input);

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return invalid(`"${text}" is not a valid URL`, input);
    }
    if (!URL_SCHEMES.has(url.protocol)) invalid(`URLs starting with ${url.protocol}// are not supported`, input);
    if (url.username || url.password)
      invalid('Put the user name in --user and the password in the keychain, not in the URL', input);
    const host = checkHost(url.hostname.replace(/^\[(.*)\]$/, '$1'), input);
    return { host, ...(url.port ? { port: Number(url.port) } : {}), url: url.toString() };
  }

  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    if (isIP(bracketed[1]!) !== 6) invalid(`"${bracketed[1]}" is not a valid IPv6 address`, input);
    return bracketed[2] === undefined
      ? { host: bracketed[1]! }
      : { host: bracketed[1]!, port: checkPort(bracketed[2], input) };
  }
  if (isIP(text) === 6) return { host: text };
  const colon = text.lastIndexOf(':');
  if (colon >= 0) {
    if (text.indexOf(':') !== colon)
      invalid(`"${text}" is not a valid address (IPv6 needs [brackets] with a port)`, input);
    return { host: checkHost(text.slice(0, colon), input), port: checkPort(text.slice(colon + 1), input) };
  }
  return { host: checkHost(text, input) };
}
