// A host's own worker that becomes a media worker by importing the entry for its side effect (it
// installs the message handler). Bundlers keep it because @labelkit/core's sideEffects names it.
import '@labelkit/core/media/worker';
