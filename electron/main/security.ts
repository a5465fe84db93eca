// Hardening that applies to every web contents: no navigation away from the app, no new windows,
// no webviews, no permissions (camera, notifications from web content, …), and a strict CSP header.
import { app, session, shell, type WebFrameMain } from 'electron';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** IPC is answered only for the top frame of a page we loaded ourselves. */
export const trustedFrame =
  (isAppUrl: (url: string) => boolean) =>
  (frame: WebFrameMain | null | undefined): boolean =>
    !!frame && frame === frame.top && isAppUrl(frame.url);

/** Only plain web links leave the app, and only to the user's browser. */
export function externalWebUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

export function hardenSessions(isAppUrl: (url: string) => boolean) {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to the web (docs, a NAS's own admin page) open in the user's browser, never in-app.
      const external = externalWebUrl(url);
      if (external) void shell.openExternal(external); // eng-disable OPEN_EXTERNAL_JS_CHECK: http(s) only, parsed by externalWebUrl; never file:, smb: or custom schemes
      return { action: 'deny' };
    });
  });
}
