// Lab NAS command line: `tsx e2e/lab/cli.ts <command> [options]` (needs root).
import { parseArgs } from 'node:util';
import {
  DEFAULT_INSTANCE,
  PERSONAS,
  checkClean,
  clientExec,
  corruptBlock,
  cutLink,
  down,
  failMember,
  knownInstances,
  nasExec,
  readState,
  replaceMember,
  restoreLink,
  startDaemon,
  status,
  stopDaemon,
  up,
  type Persona,
  type RaidProfile,
  type Service,
} from './lab';
import { isAlive, sleep } from './proc';

const USAGE = `usage: tsx e2e/lab/cli.ts <command> [options]
  up            [--nas N] [--persona linux,synology,truenas,qnap] [--services a,b] [--raid raid1|raid10|raid5] [--root-login]
  down          [--all] [--wait-pid P]  (safe to repeat; also cleans up after a crash)
  status        [--json]
  check-clean   [--all]                 (non-zero exit + list when anything of the lab remains)
  cut-link      --nas N                 restore-link --nas N
  stop-daemon   --nas N <daemon>        start-daemon --nas N <daemon>
                daemons: smbd nmbd rpcbind ganesha tgtd sshd avahi wsdd
  fail-member   --nas N [--member I]    replace-member --nas N
  corrupt-block --nas N <file-in-nas>
  nas-exec      --nas N -- <argv...>    client-exec -- <argv...>
common: --instance NAME (default ${DEFAULT_INSTANCE}; env NASDECK_LAB_INSTANCE)
services: storage smb nmbd nfs iscsi ssh avahi wsdd (default: all)`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      instance: { type: 'string' },
      nas: { type: 'string' },
      persona: { type: 'string' },
      services: { type: 'string' },
      raid: { type: 'string' },
      member: { type: 'string' },
      'root-login': { type: 'boolean' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      'wait-pid': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, ...rest] = positionals;
  if (values.help || !cmd) {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const instance = values.instance ?? process.env.NASDECK_LAB_INSTANCE ?? DEFAULT_INSTANCE;
  const nasIndex = values.nas ? Number(values.nas) : 1;
  const log = (m: string) => console.error(`[lab] ${m}`);

  switch (cmd) {
    case 'up': {
      const personas = values.persona?.split(',').map((p) => p.trim()) as Persona[] | undefined;
      for (const p of personas ?? []) if (!PERSONAS.includes(p)) throw new Error(`unknown persona ${p}`);
      const st = await up({
        instance,
        nas: nasIndex,
        personas,
        services: values.services?.split(',').map((s) => s.trim()) as Service[] | undefined,
        raid: values.raid as RaidProfile | undefined,
        rootLogin: values['root-login'],
        log,
      });
      console.log(
        `lab ${st.instance} up in ${st.upSeconds?.toFixed(1)} s: ${st.nas.map((n) => `${n.hostname}=${n.address}`).join(' ')}`,
      );
      return 0;
    }
    case 'down': {
      // used by global-setup on SIGINT: let the interrupted runner (and any half-done up in it) exit first
      const waitPid = values['wait-pid'] ? Number(values['wait-pid']) : 0;
      for (let i = 0; waitPid && isAlive(waitPid) && i < 100; i++) await sleep(100);
      const list = values.all ? await knownInstances() : [instance];
      for (const i of list) {
        const r = await down(i, { log });
        console.log(`lab ${i} down in ${r.seconds.toFixed(1)} s`);
      }
      return 0;
    }
    case 'status': {
      const s = status(instance);
      if (values.json) {
        console.log(JSON.stringify(s ?? { instance, up: false, client: null, nas: [] }, null, 2));
        return s?.up ? 0 : 1;
      }
      if (!s) {
        console.log(`lab ${instance}: down`);
        return 1;
      }
      console.log(
        `lab ${s.instance}: ${s.up ? 'up' : `NOT healthy (phase ${s.phase})`}; client ${s.client.namespace} ${s.client.bridge} ${s.client.address}`,
      );
      for (const n of s.nas) {
        const d = Object.entries(n.daemons).map(([k, v]) => `${k}${v ? '' : '(DOWN)'}`);
        console.log(
          `  nas${n.index} ${n.hostname} ${n.address} ns=${n.namespace} persona=${n.persona} ${n.alive ? 'alive' : 'DEAD'} ${d.join(' ')}`,
        );
      }
      return s.up ? 0 : 1;
    }
    case 'check-clean': {
      const list = values.all || !values.instance ? [...new Set([instance, ...(await knownInstances())])] : [instance];
      let bad = 0;
      for (const i of list) {
        const left = await checkClean(i);
        for (const l of left) console.log(`${i}: ${l}`);
        bad += left.length;
      }
      if (bad === 0) console.log(`clean: ${list.join(', ')}`);
      return bad === 0 ? 0 : 1;
    }
    case 'cut-link':
      await cutLink(nasIndex, instance);
      return 0;
    case 'restore-link':
      await restoreLink(nasIndex, instance);
      return 0;
    case 'stop-daemon':
    case 'start-daemon': {
      const d = rest[0];
      if (!d) throw new Error('which daemon?');
      await (cmd === 'stop-daemon' ? stopDaemon : startDaemon)(nasIndex, d, instance);
      return 0;
    }
    case 'fail-member': {
      const r = await failMember(nasIndex, values.member ? Number(values.member) : undefined, instance);
      console.log(`detached ${r.device} (${r.file}); pool mounted degraded`);
      return 0;
    }
    case 'replace-member': {
      const r = await replaceMember(nasIndex, instance);
      console.log(`replaced devid ${r.devid} with ${r.device}`);
      return 0;
    }
    case 'corrupt-block': {
      const f = rest[0];
      if (!f) throw new Error('which file (path inside the NAS)?');
      console.log(JSON.stringify(await corruptBlock(nasIndex, f, instance)));
      return 0;
    }
    case 'nas-exec':
    case 'client-exec': {
      const s = readState(instance);
      if (!s) throw new Error(`lab ${instance} is not up`);
      const r = cmd === 'nas-exec' ? await nasExec(s, nasIndex, rest) : await clientExec(s, rest);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.code;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main().then(
  (rc) => process.exit(rc),
  (e: unknown) => {
    console.error(`[lab] error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
