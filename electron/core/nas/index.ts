// Managing a NAS: the device's adapter (Linux over SSH today), its connection from the pool,
// reads in the shared shapes, mutations as jobs, and --dry-run plans of the exact commands.
import { readFile } from 'node:fs/promises';
import type { Device, HealthState, Job, NasStatus, Outcome, PlanStep, Pool } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { DeviceRegistry } from '../devices/devices';
import type { JobManager } from '../jobs/jobs';
import { SshPool } from '../remote/pool';
import { BatchingRunner } from '../remote/batch';
import { PlanRunner, type Runner } from '../remote/runner';
import type { SshTarget } from '../remote/ssh';
import { secretAccount, type SecretVault } from '../secrets/vault';
import type { NasAdapter } from './adapter';
import { LinuxAdapter } from './linux';
import { detectTools, type Tool } from './linux/shell';
import { vendorDriver, vendorDrivers } from './vendors';

const TOOLS_TTL_MS = 60_000;
const WORST: HealthState[] = ['failed', 'degraded', 'rebuilding', 'scrubbing', 'unknown', 'healthy'];

export function overallHealth(pools: Pool[]): HealthState {
  if (pools.length === 0) return 'unknown';
  return WORST.find((s) => pools.some((p) => p.state === s)) ?? 'healthy';
}

/** How to reach a device over SSH: its pinned host key, its user, and secrets from the keychain only. */
export async function sshTarget(
  device: Device,
  vault: SecretVault,
  extra: Partial<SshTarget> = {},
): Promise<SshTarget> {
  const auth: SshTarget['auth'] = {};
  if (device.access.secrets.includes('password')) {
    const password = await vault.get(secretAccount(device.id, 'password'));
    if (password) auth.password = password;
  }
  if (device.access.identityFile) {
    try {
      auth.privateKey = await readFile(device.access.identityFile);
    } catch {
      throw new AppError('INVALID_INPUT', `Cannot read the SSH key ${device.access.identityFile}.`);
    }
  }
  if (!auth.password && !auth.privateKey && process.env.SSH_AUTH_SOCK) auth.agent = process.env.SSH_AUTH_SOCK;
  if (!device.access.user)
    throw new AppError('INVALID_INPUT', `No user name for ${device.name}: re-add it with --user.`);
  return {
    host: device.host,
    port: device.access.sshPort ?? 22,
    username: device.access.user,
    auth,
    ...(device.access.hostKeySha256 ? { hostKeySha256: device.access.hostKeySha256 } : {}),
    ...extra,
  };
}

export class NasService {
  readonly pool = new SshPool();
  private readonly tools = new Map<string, { at: number; tools: Promise<Set<Tool>> }>();

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly vault: SecretVault,
    private readonly jobs: JobManager,
  ) {}

  private async runnerFor(device: Device): Promise<Runner> {
    if (!['linux', 'unknown', 'omv', 'unraid'].includes(device.vendor)) {
      throw new AppError(
        'NOT_SUPPORTED',
        `Managing ${device.vendor} devices through their own API is not available yet; SSH management works for Linux-based NAS.`,
      );
    }
    if (!device.access.hostKeySha256) {
      throw new AppError(
        'HOST_KEY_UNKNOWN',
        `No SSH host key is pinned for ${device.name}: re-add it to confirm the key.`,
      );
    }
    return this.pool.runner(device.id, () => sshTarget(device, this.vault));
  }

  /** The device's adapter; with `plan` it is a dry run: reads go to the NAS, changes land in `plan`. */
  async adapter(ref: string, plan?: PlanStep[]): Promise<{ device: Device; adapter: NasAdapter }> {
    const device = await this.devices.get(ref);
    const driver = vendorDriver(device.vendor);
    if (driver) {
      return { device, adapter: await driver.adapter({ device, vault: this.vault, ...(plan ? { plan } : {}) }) };
    }
    const live = new BatchingRunner(await this.runnerFor(device));
    let cached = this.tools.get(device.id);
    if (!cached || Date.now() - cached.at > TOOLS_TTL_MS) {
      cached = { at: Date.now(), tools: detectTools(live) };
      cached.tools.catch(() => this.tools.delete(device.id));
      this.tools.set(device.id, cached);
    }
    return { device, adapter: new LinuxAdapter(plan ? new PlanRunner(live, plan) : live, cached.tools) };
  }

  async status(ref: string): Promise<NasStatus> {
    const { device, adapter } = await this.adapter(ref);
    const [system, capabilities, pools, disks] = await Promise.all([
      adapter.systemInfo(),
      adapter.capabilities(),
      adapter.pools(),
      adapter.disks(),
    ]);
    return {
      device: device.id,
      health: overallHealth(pools),
      system,
      capabilities,
      pools,
      disks,
      alerts: await adapter.alerts(pools, disks),
    };
  }

  /** A change: planned (dryRun) or done as a job that the UI and CLI can follow. */
  async mutate<T>(
    ref: string,
    dryRun: boolean | undefined,
    title: string,
    change: (a: NasAdapter) => Promise<T>,
  ): Promise<Outcome<T>> {
    if (dryRun) {
      const steps: PlanStep[] = [];
      await change((await this.adapter(ref, steps)).adapter);
      return { applied: false, steps };
    }
    const { adapter: live } = await this.adapter(ref);
    let value: T | undefined;
    let failure: unknown;
    const job = this.jobs.start('nas', title, async () => {
      try {
        value = await change(live);
      } catch (err) {
        failure = err;
        throw err;
      }
    });
    const done = await this.jobs.wait(job.id);
    // The adapter's own error keeps its details (the fix); the job record keeps code and message only.
    if (done.state !== 'succeeded' && failure instanceof AppError) throw failure;
    if (done.state !== 'succeeded')
      throw new AppError((done.error?.code as never) ?? 'INTERNAL', done.error?.message ?? `${title} failed`);
    return { applied: true, value: value as T, steps: [] };
  }

  /** Starts a scrub as a job and returns at once; progress arrives as jobs.progress events. */
  async scrub(ref: string, pool: string): Promise<Job> {
    const { adapter } = await this.adapter(ref);
    // Say "no such pool" now, not later in a failed job.
    const pools = (await adapter.pools()) as Array<Pool & { mountPoint?: string }>;
    if (!pools.some((p) => p.id === pool || p.name === pool || p.mountPoint === pool)) {
      throw new AppError('NOT_FOUND', `No pool "${pool}". Pools: ${pools.map((p) => p.name).join(', ') || 'none'}.`);
    }
    return this.jobs.start('scrub', `Scrub ${pool}`, async (ctx) => {
      await adapter.scrub(pool, ctx);
    });
  }

  close() {
    this.pool.closeAll();
    for (const driver of Object.values(vendorDrivers)) void driver.closeAll().catch(() => undefined);
  }
}
