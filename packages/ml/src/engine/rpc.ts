// Comlink's default error transfer keeps only name, message and stack. Labelkit errors carry a
// stable `code` and `details`; this handler (installed on both sides) keeps them, so a caller on
// the main thread gets a real LabelkitError.
import { LabelkitError } from '@labelkit/core';
import * as Comlink from 'comlink';

interface Thrown {
  readonly isError: boolean;
  readonly value: unknown;
}

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const base = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize(thrown: unknown): [Thrown, Transferable[]] {
      const value = (thrown as { value: unknown }).value;
      if (value instanceof Error) {
        const details = LabelkitError.is(value) ? safeClone(value.details) : undefined;
        return [{ isError: true, value: { name: value.name, message: value.message, stack: value.stack, code: (value as { code?: unknown }).code, details } }, []];
      }
      return [{ isError: false, value }, []];
    },
    deserialize(serialized: unknown): never {
      const s = serialized as Thrown;
      if (!s.isError) throw s.value;
      const v = s.value as { name: string; message: string; stack?: string; code?: string; details?: Record<string, unknown> };
      if (v.name === 'LabelkitError' && v.code) {
        const err = new LabelkitError(v.code as LabelkitError['code'], v.message, v.details ?? {});
        if (v.stack) err.stack = v.stack;
        throw err;
      }
      throw Object.assign(new Error(v.message), v);
    },
  } as Comlink.TransferHandler<unknown, Thrown>);
}

function safeClone(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return structuredClone(details) as Record<string, unknown>;
  } catch {
    return {};
  }
}
