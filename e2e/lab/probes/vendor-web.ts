// A vendor web API stand-in for the lab: serves the unauthenticated pages a DSM, TrueNAS or QTS box
// answers before any login (the routes come from personas.ts vendorWebConfig, the documented shapes),
// 404 for everything else. Started by lab.ts inside a NAS (`up({ vendorWeb: true })`) as
//   node --import <tsx> vendor-web.ts '<json>'   with { port, routes }.
// Full vendor emulators live in e2e/emulators/; this one only answers discovery's fingerprint reads.
import { createServer } from 'node:http';

interface Config {
  port: number;
  routes: Record<string, { type: string; body: string }>;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const server = createServer((req, res) => {
  const route = cfg.routes[req.url ?? ''];
  if (req.method !== 'GET' || !route) {
    res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
    return;
  }
  res.writeHead(200, { 'Content-Type': route.type }).end(route.body);
});
server.listen(cfg.port, '0.0.0.0');
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => server.close(() => process.exit(0)));
