import { expect } from '@esm-bundle/chai';
import { isAcceptedImagePath } from '@labelkit/core';

describe('browser harness', () => {
  it('runs in a secure context with WebGPU and resolves workspace packages from source', async () => {
    expect(window.isSecureContext).to.equal(true);
    expect(crossOriginIsolated).to.equal(true);
    expect(isAcceptedImagePath('a/B.JPG')).to.equal(true);
    const adapter = await (navigator as any).gpu?.requestAdapter();
    expect(adapter, 'a WebGPU adapter (SwiftShader)').to.not.equal(null);
  });
});
