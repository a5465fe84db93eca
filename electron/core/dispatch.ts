// The one dispatcher every front door uses: validate params with the shared schema, call the
// handler, wrap the outcome in the result envelope. IPC, WebSocket and CLI differ only in transport.
import type { z } from 'zod';
import { commands, isCommandName, type Envelope, type Handlers } from '../../shared/api';
import { toWireError } from '../../shared/errors';

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export type Dispatch = (method: unknown, params: unknown) => Promise<Envelope<unknown>>;

export function createDispatch(handlers: Handlers, log: (line: string) => void = () => undefined): Dispatch {
  return async (method, params) => {
    if (!isCommandName(method)) {
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: `Unknown command "${String(method).slice(0, 64)}"` },
      };
    }
    const parsed = commands[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message: describeIssues(parsed.error),
          details: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
        },
      };
    }
    try {
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      const error = toWireError(err);
      // Only the method name and code: params may carry secrets.
      if (error.code === 'INTERNAL') log(`${method} failed: ${error.message}`);
      return { ok: false, error };
    }
  };
}
