// The NAS the QNAP emulator pretends to be: accounts, volumes, drive bays and shared folders.
// Defaults follow the captured fixtures named in ../../../electron/core/nas/qnap/__fixtures__/SOURCES.md
// (TS-451 on QTS 4.2.2, TS-328 on QTS 5.2.6); tests change the state to make a volume or a disk fail.

export interface QnapUser {
  password: string;
  admin: boolean;
  /** The code the authenticator shows right now; set means 2-step verification is on. */
  twoStepCode?: string;
  passwordExpired?: boolean;
}

export interface QnapVolume {
  id: number;
  label: string;
  /** `volumeStat`: raid5, mirror, single… */
  raid: string;
  bays: number[];
  /** `volumeStatus`: 0 is ready. */
  status: number;
  progress: number;
  totalBytes: number;
  freeBytes: number;
  folders: Array<{ name: string; usedBytes: number; system?: boolean }>;
}

export interface QnapBay {
  bay: number;
  /** Empty for an empty bay. */
  model: string;
  serial: string;
  vendor: string;
  firmware: string;
  capacityBytes: number;
  /** `Health` as QTS shows it: OK, Warning, Abnormal… */
  health: string;
  /** 32763 is QTS's "no reading". */
  tempC: number;
  ssd: boolean;
}

export interface QnapShareFolder {
  name: string;
  writable: boolean;
}

export interface QnapState {
  modelName: string;
  displayModelName: string;
  platform: string;
  isZfs: boolean;
  firmware: { version: string; number: string; build: string; buildTime: string };
  hostname: string;
  serial: string;
  uptimeSeconds: number;
  cpuModel: string;
  memory: { totalMb: number; freeMb: number };
  sysTempC: number;
  hdTempWarnC: number;
  /** `sysHealth/status`: good, warning, error. */
  health: string;
  users: Record<string, QnapUser>;
  volumes: QnapVolume[];
  bays: QnapBay[];
  shares: QnapShareFolder[];
  /** The TS-1677XU-RP fixture sends an empty volumeUseList: sizes unknown. */
  omitVolumeUse?: boolean;
}

const TB = 1024 ** 4;

export function defaultQnapState(): QnapState {
  return {
    modelName: 'TS-XA28A',
    displayModelName: 'TS-328',
    platform: 'TS-NASARM',
    isZfs: false,
    firmware: { version: '5.2.6', number: '3195', build: '20250715', buildTime: '2025/07/15' },
    hostname: 'QNAP06',
    serial: 'Q19AB12345',
    uptimeSeconds: 6 * 3600 + 15 * 60 + 13,
    cpuModel: 'Realtek RTD1296 Quad-Core ARM Cortex-A53 Processor @ 1.4GHz',
    memory: { totalMb: 2048, freeMb: 903.2 },
    sysTempC: 33,
    hdTempWarnC: 55,
    health: 'good',
    users: {
      admin: { password: 'correct horse', admin: true },
    },
    volumes: [
      {
        id: 1,
        label: 'DataVol1',
        raid: 'raid5',
        bays: [1, 2, 3],
        status: 0,
        progress: 100,
        totalBytes: 5934928510976,
        freeBytes: 865955594240,
        folders: [
          { name: 'Public', usedBytes: 4096 },
          { name: 'Multimedia', usedBytes: 602112 },
          { name: 'Backups', usedBytes: 264058204160 },
          { name: 'System Reserved', usedBytes: 25579089920, system: true },
        ],
      },
    ],
    bays: [1, 2, 3]
      .map((bay) => ({
        bay,
        model: 'HUH721212ALE604',
        serial: `AAHKGNR${bay}`,
        vendor: 'HGST HUH721212ALE604 LEGNW3D0',
        firmware: 'LEGNW3D0',
        capacityBytes: 12e12,
        health: 'OK',
        tempC: 36 + bay,
        ssd: false,
      }))
      .concat([
        {
          bay: 4,
          model: '',
          serial: '',
          vendor: '',
          firmware: '',
          capacityBytes: 0,
          health: '',
          tempC: 0,
          ssd: false,
        },
      ]),
    shares: [
      { name: 'Backups', writable: true },
      { name: 'Multimedia', writable: true },
      { name: 'Public', writable: true },
    ],
  };
}

export const QNAP_TB = TB;
