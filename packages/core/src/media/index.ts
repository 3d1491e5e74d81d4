// Filled in by the media work; see docs/ARCHITECTURE.md.
export {};
