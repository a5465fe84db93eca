// Packaging with electron-builder (`npm run dist` → build/dist.mjs): AppImage, deb and rpm on
// Linux, dmg on macOS, nsis on Windows. Validated by electron/core/desktop/packaging.test.ts, which
// also runs electron-builder's own schema check over it; electron-builder itself needs the
// Electron binary download, so it runs only where that works.
import type { Configuration } from 'electron-builder';
import { NAS_SERVICE_TYPES } from '../electron/core/discovery/mdns';

/**
 * macOS 15 silently drops mDNS traffic of apps that do not declare it: NSBonjourServices must name
 * every service type discovery browses, so it is derived from discovery's own list.
 */
export const bonjourServices: string[] = [...NAS_SERVICE_TYPES];

export const LOCAL_NETWORK_USAGE =
  'Nasdeck looks for NAS devices on your local network (Bonjour, WS-Discovery) and connects to the ones you add to manage them and mount their shares.';

/** Electron fuses flipped in the packaged binary (electron-builder applies them after packing). */
export const fuses = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  // Pages are served from the asar over file://; they need no more than a web page gets.
  grantFileProtocolExtraPrivileges: false,
} as const;

const config: Configuration = {
  appId: 'app.nasdeck.desktop',
  productName: 'Nasdeck',
  copyright: 'Copyright © 2026 the Nasdeck authors',
  directories: { output: 'release', buildResources: 'build' },
  // The bundles (main, preload, CLI, renderer) and package.json; production node_modules are added
  // by electron-builder. Source maps stay out of the package.
  files: ['dist/electron/**/*', 'dist/renderer/**/*', '!**/*.map', 'package.json'],
  // The `nasdeck` CLI: wrapper scripts that run the app binary in CLI mode (the RunAsNode fuse is
  // off, so the binary cannot double as Node). Linux packages link it to /usr/bin/nasdeck.
  extraResources: [{ from: 'build/bin', to: 'bin', filter: ['nasdeck', 'nasdeck.cmd'] }],
  asar: true,
  // keytar is rebuilt for Electron's ABI by build/dist.mjs just before packaging, not here and not
  // in postinstall (that would break it for Node: the CLI in a checkout and the tests).
  npmRebuild: false,
  electronFuses: fuses,
  icon: 'build/icons/icon.png',
  mac: {
    target: ['dmg'],
    category: 'public.app-category.utilities',
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.inherit.plist',
    extendInfo: {
      NSLocalNetworkUsageDescription: LOCAL_NETWORK_USAGE,
      NSBonjourServices: bonjourServices,
    },
  },
  dmg: { title: 'Nasdeck ${version}' },
  win: { target: ['nsis'] },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    shortcutName: 'Nasdeck',
  },
  linux: {
    target: ['AppImage', 'deb', 'rpm'],
    // `nasdeck` is the CLI; the window app is `nasdeck-app`.
    executableName: 'nasdeck-app',
    icon: 'build/icons/png',
    category: 'Network',
    synopsis: 'Find, manage and connect to every NAS on your network',
    maintainer: 'Nasdeck <nasdeck@users.noreply.github.com>',
    desktop: {
      entry: {
        Name: 'Nasdeck',
        GenericName: 'NAS manager',
        Comment: 'Find, manage and connect to every NAS on your network',
        Keywords: 'NAS;SMB;NFS;iSCSI;mount;Synology;TrueNAS;QNAP;',
        StartupWMClass: 'Nasdeck',
      },
    },
  },
  deb: {
    // electron-builder's defaults plus libsecret (keytar); mount helpers are recommended.
    depends: [
      'libgtk-3-0',
      'libnotify4',
      'libnss3',
      'libxss1',
      'libxtst6',
      'xdg-utils',
      'libatspi2.0-0',
      'libuuid1',
      'libsecret-1-0',
    ],
    recommends: ['cifs-utils', 'nfs-common', 'open-iscsi'],
    afterInstall: 'build/linux/after-install.tpl',
    afterRemove: 'build/linux/after-remove.tpl',
  },
  rpm: {
    depends: [
      'gtk3',
      'libnotify',
      'nss',
      'libXScrnSaver',
      'libXtst',
      'xdg-utils',
      'at-spi2-core',
      'libuuid',
      'libsecret',
    ],
    afterInstall: 'build/linux/after-install.tpl',
    afterRemove: 'build/linux/after-remove.tpl',
  },
  publish: null,
};

export default config;
