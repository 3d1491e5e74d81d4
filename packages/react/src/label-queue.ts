import * as React from 'react';
import { createComponent } from '@lit/react';
import { LabelQueue as LabelQueueElement } from '@labelkit/components/label-queue';
import { labelEvent } from './events.js';

/**
 * `<label-queue>` as a React component: `project`, `source`, `gridSize`, `autosaveDelay` are set as
 * properties; events are typed props. Importing it registers `<label-queue>` only (not the canvas,
 * which the queue loads for box and polygon tasks).
 *
 * ```tsx
 * <LabelQueue project={project} source={source} gridSize={4} onTaskSubmit={(e) => console.log(e.detail.items)} />
 * ```
 */
export const LabelQueue = createComponent({
  react: React,
  tagName: 'label-queue',
  elementClass: LabelQueueElement,
  displayName: 'LabelQueue',
  events: {
    onTaskPreview: labelEvent('label-task-preview'),
    onTaskLoad: labelEvent('label-task-load'),
    onTaskSubmit: labelEvent('label-task-submit'),
    onTaskSkip: labelEvent('label-task-skip'),
    onDraftSave: labelEvent('label-draft-save'),
    onLabelError: labelEvent('label-error'),
  },
});
