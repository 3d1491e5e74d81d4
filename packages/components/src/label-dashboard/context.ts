import type { ReactiveControllerHost } from 'lit';
import type { AssistMonitor, DataSource, Project } from '@labelkit/core';
import type { Commands } from '../controllers/commands.js';
import type { ProjectController } from '../controllers/project-controller.js';
import type { ImageUrls } from '../controllers/image-url.js';
import type { DashboardUpload } from './upload-card.js';

/** What the Data and Details tabs (data-tab.ts, details-tab.ts) see of `<label-dashboard>`. */
export interface DashboardContext {
  readonly host: ReactiveControllerHost & HTMLElement;
  readonly project: Project | undefined;
  readonly source: DataSource | undefined;
  /** ML assist in this browser, when the host set it: its flags filter the Data tab. */
  readonly assist: AssistMonitor | undefined;
  /** Uploads local images into the project's container (Azure mode); the Details tab offers it when set. */
  readonly upload: DashboardUpload | undefined;
  readonly commands: Commands;
  readonly pc: ProjectController;
  readonly images: ImageUrls;
  /** Milliseconds a Reject from the Data tab can be undone. */
  readonly rejectUndoMs: number;
  /** Shows a notice (cleared when the tab changes or the next command starts). */
  notify(text: string): void;
  /** The element's public `reject()`. */
  reject(items: readonly number[]): Promise<void>;
}
