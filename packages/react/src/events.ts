import type { EventName } from '@lit/react';
import type { LabelEvent, LabelEventName } from '@labelkit/components';

/** A Labelkit event name typed with its `CustomEvent<detail>`, for `createComponent`'s `events`. */
export const labelEvent = <K extends LabelEventName>(name: K) => name as unknown as EventName<LabelEvent<K>>;
