// Filled in by the export work; see docs/ARCHITECTURE.md.
export {};
