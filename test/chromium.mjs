// How every Node-side launcher starts Debian's Chromium (never a downloaded one): web-test-runner,
// the end-to-end tests, the benchmarks and the consumer matrix.

/** The browser binary: $CHROMIUM_PATH, else Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags this machine needs: no sandbox (containers), and no background traffic (no network). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Added where WebGPU runs: on SwiftShader (no GPU here). */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];
