import { crc32 } from '../util/crc32.js';
import { upcast, type JournalEvent } from './events.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A journal segment is UTF-8 text, one event per line: `<crc32 as 8 hex>\t<event JSON>\n`.
 * The per-line checksum lets a reader keep every good event of a torn or damaged segment.
 */
export function encodeSegment(events: readonly JournalEvent[]): Uint8Array {
  let text = '';
  for (const e of events) {
    const json = JSON.stringify(e);
    text += crc32(encoder.encode(json)).toString(16).padStart(8, '0') + '\t' + json + '\n';
  }
  return encoder.encode(text);
}

export interface DecodedSegment {
  events: JournalEvent[];
  /** Present when some of the segment could not be read: what and where. */
  damage?: { line: number; reason: string; goodEvents: number };
}

export function decodeSegment(bytes: Uint8Array): DecodedSegment {
  const text = decoder.decode(bytes);
  const lines = text.split('\n');
  const events: JournalEvent[] = [];
  let damage: DecodedSegment['damage'];
  const last = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' && i === last) break; // trailing newline
    const tab = line.indexOf('\t');
    const reason =
      tab !== 8
        ? 'malformed record'
        : (() => {
            const json = line.slice(9);
            const want = parseInt(line.slice(0, 8), 16);
            if (crc32(encoder.encode(json)) !== want) return i === last ? 'truncated record' : 'checksum mismatch';
            try {
              events.push(upcast(JSON.parse(json) as Record<string, unknown>));
              return undefined;
            } catch (err) {
              return `unreadable event: ${(err as Error).message}`;
            }
          })();
    if (reason) {
      damage ??= { line: i + 1, reason, goodEvents: 0 };
    }
  }
  if (damage) damage.goodEvents = events.length;
  if (lines[last] !== '' && !damage) damage = { line: last + 1, reason: 'segment does not end with a newline (torn write)', goodEvents: events.length };
  return damage ? { events, damage } : { events };
}
