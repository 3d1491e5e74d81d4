import * as React from 'react';
import { createComponent } from '@lit/react';
import { LabelCanvas as LabelCanvasElement } from '@labelkit/components/label-canvas';
import { labelEvent } from './events.js';

/**
 * `<label-canvas>` as a React component: `image`, `labels`, `annotations`, `mode`, … are set as
 * properties; events are typed props. Importing it registers `<label-canvas>` (with Konva).
 */
export const LabelCanvas = createComponent({
  react: React,
  tagName: 'label-canvas',
  elementClass: LabelCanvasElement,
  displayName: 'LabelCanvas',
  events: {
    onAnnotationCreate: labelEvent('label-annotation-create'),
    onAnnotationUpdate: labelEvent('label-annotation-update'),
    onAnnotationDelete: labelEvent('label-annotation-delete'),
    onSelectionChange: labelEvent('label-selection-change'),
    onPrelabelAccept: labelEvent('label-prelabel-accept'),
    onPrelabelReject: labelEvent('label-prelabel-reject'),
    onEditRequest: labelEvent('label-edit-request'),
    onImageLoad: labelEvent('label-image-load'),
    onViewChange: labelEvent('label-view-change'),
    onToolChange: labelEvent('label-tool-change'),
    onLabelError: labelEvent('label-error'),
  },
});
