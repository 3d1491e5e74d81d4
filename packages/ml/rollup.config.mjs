import { packageConfig } from '../../scripts/rollup-package.mjs';
export default packageConfig(new URL('.', import.meta.url).pathname);
