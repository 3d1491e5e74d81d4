import { type ItemView, isDicomPath } from '@labelkit/core';

/** Items that may go to assist: readable and not DICOM. */
export function assistable(item: ItemView): boolean {
  return item.state !== 'unreadable' && !isDicomPath(item.path);
}
