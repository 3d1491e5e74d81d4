// The append-only objects of AzureBlobStore on Azurite (append blobs): what the shared tail of a
// team project needs — blocks of concurrent writers land whole, a ranged read from an offset, the
// size and sealed flag, a missing blob — and a follower reading a team's segments by range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobStore } from '@labelkit/core/azure';
import { encodeSegment } from '../../packages/core/src/journal/codec.js';
import type { JournalEvent } from '../../packages/core/src/journal/events.js';
import { Journal } from '../../packages/core/src/journal/journal.js';
import { JournalFollower } from '../../packages/core/src/shared/follower.js';
import { SharedTail } from '../../packages/core/src/shared/tail.js';
import { azureTestEnv, type AzureTestEnv } from './setup.js';

let env: AzureTestEnv;
beforeAll(async () => {
  env = await azureTestEnv();
});
afterAll(async () => {
  await env?.stop();
});

const enc = (s: string) => new TextEncoder().encode(s);

describe('AzureBlobStore append blobs', () => {
  it('appends blocks whole (also concurrently), reads from an offset, tells the size', async () => {
    const c = await env.container('tail');
    const s = new AzureBlobStore({ containerUrl: c.url, sasToken: c.sas });
    expect(await s.readFrom('t/000000.log', 0)).toBeUndefined();
    expect(await s.append('t/000000.log', enc('ab'))).toEqual({ sealed: false, blocks: 1 }); // created on first append
    await Promise.all(['c', 'd', 'e', 'f'].map((x) => s.append('t/000000.log', enc(x.repeat(1000)))));
    const all = await s.readFrom('t/000000.log', 0);
    const text = new TextDecoder().decode(all!.bytes);
    expect(text.startsWith('ab')).toBe(true);
    for (const x of ['c', 'd', 'e', 'f']) expect(text).toContain(x.repeat(1000));
    expect([all!.size, all!.sealed]).toEqual([4002, false]);
    const rest = await s.readFrom('t/000000.log', 4000);
    expect([rest!.bytes.byteLength, rest!.size]).toEqual([2, 4002]);
    expect((await s.readFrom('t/000000.log', 4002))!.bytes.byteLength).toBe(0); // nothing new: 200, not 416
    expect((await s.readFrom('t/000000.log', 9999))!).toMatchObject({ size: 4002 });
    expect((await s.readFrom('t/000000.log', Number.POSITIVE_INFINITY))!.size).toBe(4002);
    expect((await s.get('t/000000.log'))!.bytes.byteLength).toBe(4002);
    // Sealed: appends are refused (409 BlobIsSealed), readers are told. (Azurite 3.35 has no SAS
    // permission for Append Blob Seal and answers 500, so this part runs with the account key.)
    const keyed = new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name });
    await keyed.seal('t/000000.log');
    expect(await s.append('t/000000.log', enc('late'))).toEqual({ sealed: true });
    expect(await s.readFrom('t/000000.log', 4002)).toMatchObject({ size: 4002, sealed: true });
  });

  it('a follower reads the segments of several writers in one ranged read', async () => {
    const c = await env.container('tailf');
    const store = new AzureBlobStore({ containerUrl: c.url, sasToken: c.sas });
    const f = new JournalFollower(store, 'p');
    f.seed({});
    await f.startTail();
    await f.read();
    let at = 1;
    for (const client of ['a', 'b', 'c']) {
      const j = new Journal(store, 'p', client);
      const tail = new SharedTail(store, 'p');
      for (let i = 0; i < 3; i++) {
        const events = [{ type: 'task.released', task: `t${at}`, v: 1, at: at++, by: client } as unknown as JournalEvent];
        const { seq } = await j.append(events);
        await tail.announce({ client, seq, bytes: encodeSegment(events) });
      }
    }
    const segs = await f.read();
    expect(segs.map((s) => `${s.client}${s.seq}`)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
    expect(await f.read()).toEqual([]);
  });
});
