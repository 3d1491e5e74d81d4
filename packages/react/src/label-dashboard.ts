import * as React from 'react';
import { createComponent } from '@lit/react';
import { LabelDashboard as LabelDashboardElement } from '@labelkit/components/label-dashboard';
import { labelEvent } from './events.js';

/**
 * `<label-dashboard>` as a React component: `project`, `source`, `tab` are set as properties; events
 * are typed props. Importing it registers `<label-dashboard>` only.
 */
export const LabelDashboard = createComponent({
  react: React,
  tagName: 'label-dashboard',
  elementClass: LabelDashboardElement,
  displayName: 'LabelDashboard',
  events: {
    onItemsChange: labelEvent('label-items-change'),
    onExport: labelEvent('label-export'),
    onLabelError: labelEvent('label-error'),
  },
});
