// Draws Nasdeck's icons as PNG (app icon in every size the packagers want, tray icons per state)
// from the same shapes as the SVG sources beside this file, with no image library: shapes are
// signed-distance functions, anti-aliased by supersampling, encoded with node:zlib.
// Run: node build/icons/generate.mjs   (the PNGs are committed; rerun after changing a shape)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
export function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in a 0..1 unit square; each returns a signed distance (negative inside).
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(y - cy) - ((y1 - y0) / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;

/** Paints layers [shape, [r,g,b,a]] back to front, 4×4 supersampled. */
function render(size, layers) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size;
          const y = (py + (sy + 0.5) / S) / size;
          let cr = 0,
            cg = 0,
            cb = 0,
            ca = 0;
          for (const [shape, color] of layers) {
            if (shape(x, y) > 0) continue;
            const [lr, lg, lb, la] = typeof color === 'function' ? color(x, y) : color;
            const na = la + ca * (1 - la);
            cr = (lr * la + cr * ca * (1 - la)) / (na || 1);
            cg = (lg * la + cg * ca * (1 - la)) / (na || 1);
            cb = (lb * la + cb * ca * (1 - la)) / (na || 1);
            ca = na;
          }
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      }
      const i = (py * size + px) * 4;
      out[i] = a ? Math.round(r / a) : 0;
      out[i + 1] = a ? Math.round(g / a) : 0;
      out[i + 2] = a ? Math.round(b / a) : 0;
      out[i + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return encodePng(size, out);
}

// The app icon (icon.svg): a blue tile with a NAS front of three drive bays and status lights.
const appIcon = [
  [roundRect(0.06, 0.06, 0.94, 0.94, 0.2), (x, y) => [30 + 20 * y, 99 - 30 * y, 235 - 40 * y, 1]],
  ...[0.28, 0.47, 0.66].flatMap((top) => [
    [roundRect(0.22, top, 0.78, top + 0.14, 0.04), [241, 245, 249, 1]],
    [circle(0.68, top + 0.07, 0.028), [34, 197, 94, 1]],
    [roundRect(0.3, top + 0.055, 0.52, top + 0.085, 0.015), [148, 163, 184, 1]],
  ]),
];

// Tray icons (tray/*.svg): the NAS front in grey, and a state dot (none when idle).
const STATE_COLOR = {
  idle: null,
  mounted: [22, 163, 74, 1],
  offline: [217, 119, 6, 1],
  error: [220, 38, 38, 1],
};
const trayIcon = (state) => [
  ...[0.12, 0.4].map((top) => [roundRect(0.08, top, 0.8, top + 0.24, 0.06), [100, 116, 139, 1]]),
  ...[0.12, 0.4].map((top) => [roundRect(0.18, top + 0.1, 0.5, top + 0.14, 0.02), [241, 245, 249, 1]]),
  ...(STATE_COLOR[state]
    ? [
        [circle(0.74, 0.74, 0.26), [255, 255, 255, 1]],
        [circle(0.74, 0.74, 0.2), STATE_COLOR[state]],
      ]
    : []),
];

function write(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  write(join(here, 'icon.png'), render(1024, appIcon));
  for (const size of [16, 32, 48, 64, 128, 256, 512])
    write(join(here, 'png', `${size}x${size}.png`), render(size, appIcon));
  for (const state of Object.keys(STATE_COLOR)) {
    write(join(here, 'tray', `${state}.png`), render(16, trayIcon(state)));
    write(join(here, 'tray', `${state}@2x.png`), render(32, trayIcon(state)));
  }
  console.log('icons written to', here);
}
