// Where and how to reach a TrueNAS: the endpoint from the device's address (a wss:// URL, https://,
// host:port or a bare name), then the transport by version detection: `GET /api/versions` lists
// JSON-RPC versions on 25.04+; a 404 there means CORE 13 / SCALE ≤ 24.10 and REST v2.0.
import type { Device } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { pinnedAgent } from '../../remote/tls';
import {
  checkLockout,
  DEFAULTS,
  refusePlainApiKey,
  type ClientOptions,
  type Endpoint,
  type TrueNasClient,
} from './client';
import { JsonRpcClient } from './jsonrpc';
import { probeApiVersions, RestClient } from './rest';
import { jsonRpcAvailable } from './versions';

export function endpointOf(device: Pick<Device, 'host' | 'port' | 'url'>): Endpoint {
  let secure = true;
  let wsPath = '/api/current';
  if (device.url) {
    const url = new URL(device.url);
    if (url.protocol === 'ws:' || url.protocol === 'http:') secure = false;
    else if (url.protocol !== 'wss:' && url.protocol !== 'https:')
      throw new AppError('INVALID_INPUT', `A TrueNAS is reached over wss:// or https://, not ${url.protocol}//.`);
    // A pinned API version (/api/v25.04.2) is kept; anything else uses /api/current.
    if (/^\/api\/(current|v\d+\.\d+(\.\d+)?)\/?$/.test(url.pathname)) wsPath = url.pathname.replace(/\/$/, '');
  }
  return { host: device.host, port: device.port ?? (secure ? 443 : 80), secure, wsPath };
}

/** Signs in with the transport this NAS speaks; the certificate is checked before anything is sent. */
export async function connectTrueNas(options: ClientOptions): Promise<TrueNasClient> {
  refusePlainApiKey(options);
  checkLockout(options.endpoint);
  const o = { ...DEFAULTS, ...options };
  const agent = options.endpoint.secure ? pinnedAgent(options.endpoint.host, options.pin, options.seen) : undefined;
  try {
    const versions = await probeApiVersions(options.endpoint, agent, o.connectTimeoutMs);
    if (versions && jsonRpcAvailable(versions)) return await JsonRpcClient.connect(options, agent);
    return await RestClient.connect(options, agent);
  } catch (err) {
    agent?.destroy();
    throw err;
  }
}
