// The Azure store and source never show their SAS (or account key) when a host logs them:
// util.inspect (console.log in Node), JSON.stringify, or a project that holds the store.
import { inspect } from 'node:util';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { AzureBlobSource, AzureBlobStore } from '@labelkit/core/azure';
import { ProjectRegistry } from '@labelkit/core';

const ACCOUNT = 'labelkitredact';
const KEY = Buffer.from('not a real key, but shaped like one: 64 bytes of secret material!!').toString('base64');
const URL_ = `https://${ACCOUNT}.blob.core.windows.net/images`;
const SAS = generateBlobSASQueryParameters(
  { containerName: 'images', permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3600_000) },
  new StorageSharedKeyCredential(ACCOUNT, KEY),
).toString();
const SIG = new URLSearchParams(SAS).get('sig')!;
const CONNECTION = `DefaultEndpointsProtocol=https;AccountName=${ACCOUNT};AccountKey=${KEY};EndpointSuffix=core.windows.net`;

function expectNoSecret(text: string): void {
  expect(text).not.toContain('sig=');
  expect(text).not.toContain(SIG);
  expect(text).not.toContain(encodeURIComponent(SIG));
  expect(text).not.toContain(KEY);
  expect(text).not.toContain('AccountKey');
}

const shows = (x: unknown): string[] => [
  inspect(x, { depth: 10 }),
  inspect(x, { depth: 10, showHidden: true, getters: true }),
  inspect({ nested: { x } }, { depth: 10 }),
  JSON.stringify(x),
  JSON.stringify({ nested: x }),
  String(x),
];

describe('Azure store and source: no SAS when inspected or serialized', () => {
  const stores = {
    'URL + sasToken': new AzureBlobStore({ containerUrl: URL_, sasToken: SAS }),
    'URL with the SAS in its query': new AzureBlobStore({ containerUrl: `${URL_}?${SAS}`, prefix: 'team/' }),
    'connection string': new AzureBlobStore({ connectionString: CONNECTION, containerName: 'images' }),
  };
  for (const [how, store] of Object.entries(stores)) {
    it(`store from a ${how}`, () => {
      // The SDK client still holds the secret and still works — it is just not shown.
      expect(store.container.url.includes('sig=') || how === 'connection string').toBe(true);
      for (const text of [...shows(store), ...shows(store.withPrefix('other/'))]) expectNoSecret(text);
      expect(inspect(store)).toContain('AzureBlobStore');
      expect(inspect(store)).toContain(`${ACCOUNT}/images`);
      expect(JSON.parse(JSON.stringify(store))).toEqual({ description: store.description, prefix: store.prefix });
    });
  }

  it('source from a URL with a SAS, and from a sasToken', () => {
    for (const source of [new AzureBlobSource({ containerUrl: `${URL_}?${SAS}`, path: 'a/**/*.*' }), new AzureBlobSource({ containerUrl: URL_, sasToken: SAS, path: 'a/1.png' })]) {
      expect(source.signedUrl('a/1.png')).toContain('sig='); // the secret is there, for hosts that ask
      for (const text of shows(source)) expectNoSecret(text);
      expect(inspect(source)).toContain('AzureBlobSource');
    }
  });

  it('a registry holding the store, inspected deeply, shows no SAS either', () => {
    const registry = new ProjectRegistry(stores['URL + sasToken']);
    for (const text of shows(registry)) expectNoSecret(text);
  });
});
