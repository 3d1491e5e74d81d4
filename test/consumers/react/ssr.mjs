// Server rendering: importing every package in Node and rendering the wrappers must not throw.
import { createElement, Fragment } from 'react';
import { renderToString } from 'react-dom/server';
import '@labelkit/core';
import '@labelkit/core/media';
import '@labelkit/ml';
import '@labelkit/components';
import { LabelCanvas, LabelDashboard, LabelQueue } from '@labelkit/react';

const html = renderToString(createElement(Fragment, null, createElement(LabelQueue, { gridSize: 4 }), createElement(LabelDashboard), createElement(LabelCanvas, { mode: 'box' })));
for (const tag of ['label-queue', 'label-dashboard', 'label-canvas']) if (!html.includes(`<${tag}`)) throw new Error(`SSR: no <${tag}> in ${html}`);
console.log(`SSR import and render: ok (${html.length} characters)`);
