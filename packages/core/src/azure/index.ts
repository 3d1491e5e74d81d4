// Filled in by the azure work; see docs/ARCHITECTURE.md.
export {};
