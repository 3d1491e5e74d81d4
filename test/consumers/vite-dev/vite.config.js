// The Vite dev server, as the consumer matrix runs it: the workers need no setting; the headers are
// what any host sends for WASM threads (COOP/COEP) and the strict CSP the matrix checks against.
import { STRICT_CSP } from './strict-csp.js';

export default {
  server: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Content-Security-Policy': STRICT_CSP,
    },
  },
};
