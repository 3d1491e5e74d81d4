import { LabelkitError } from '../errors.js';

/**
 * The shared-store coordination (lease board, journal follower, snapshot head: shared/) is loaded
 * with import() by the projects that use it (`ProjectOptions.shared`), so a page on a store of its
 * own — IndexedDB, memory, files — never downloads it. `Project.load` and `ProjectRegistry.create`
 * await it before constructing such a project.
 */
interface SharedModule {
  SharedCoordinator: typeof import('../shared/coordinator.js').SharedCoordinator;
  SharedQueue: typeof import('../shared/claims.js').SharedQueue;
  loadSnapshot: typeof import('../shared/snapshot-slot.js').loadSnapshot;
}
let sharedModule: SharedModule | undefined;
export async function loadSharedModule(): Promise<SharedModule> {
  if (!sharedModule) {
    const [c, s, q] = await Promise.all([import('../shared/coordinator.js'), import('../shared/snapshot-slot.js'), import('../shared/claims.js')]);
    sharedModule = { SharedCoordinator: c.SharedCoordinator, loadSnapshot: s.loadSnapshot, SharedQueue: q.SharedQueue };
  }
  return sharedModule;
}

/** The shared-store module, once `loadSharedModule` has loaded it (a shared project needs it to be constructed). */
export function sharedModuleLoaded(): SharedModule {
  if (!sharedModule) throw new LabelkitError('E_INVALID_ARGUMENT', 'A shared project is opened through ProjectRegistry (it loads the shared-store module first).');
  return sharedModule;
}
