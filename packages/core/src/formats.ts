/** Image file extensions a project accepts (Azure ML's list), lower-case, with the dot. */
export const ACCEPTED_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.jpe', '.jfif', '.bmp', '.tif', '.tiff', '.dcm', '.dicom'] as const;
export type AcceptedExtension = (typeof ACCEPTED_EXTENSIONS)[number];

/** The most items one project holds. Listings beyond it are reported, never silently dropped. */
export const MAX_ITEMS_PER_PROJECT = 500_000;

/** The extension of a path, lower-case, with the dot; '' when there is none. */
export function extensionOf(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot >= 0 ? base.slice(dot).toLowerCase() : '';
}

/** Whether a path has one of the accepted image extensions (case-insensitive). */
export function isAcceptedImagePath(path: string): boolean {
  return (ACCEPTED_EXTENSIONS as readonly string[]).includes(extensionOf(path));
}

/** DICOM items are never sent to ML assist. */
export function isDicomPath(path: string): boolean {
  const ext = extensionOf(path);
  return ext === '.dcm' || ext === '.dicom';
}
