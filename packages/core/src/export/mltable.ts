import { LabelkitError } from '../errors.js';
import type { ProjectReader } from '../types.js';
import { exportJsonl } from './jsonl.js';
import { ExportFiles } from './stream.js';
import type { JsonlExportOptions } from './types.js';

/**
 * The `MLTable` file with which Azure ML reads an image JSONL file as a table (the form its AutoML
 * for images documentation gives): the JSONL is read line by line, invalid lines are errors, and
 * `image_url` becomes a `stream_info` column, so the folder holding both can be registered as an
 * `mltable` data asset as it is (`az ml data create --type mltable --path <folder>`).
 */
export function azureMlTable(jsonlFile: string): string {
  const file = jsonlFile.replace(/^\.?\/+/, '');
  if (!file || /[\n\r"]/.test(file))
    throw new LabelkitError('E_INVALID_ARGUMENT', `"${jsonlFile}" cannot be named in an MLTable file: give a plain relative file name such as labels.jsonl.`, { file: jsonlFile });
  return [
    '$schema: https://azuremlschemas.azureedge.net/latest/MLTable.schema.json',
    'type: mltable',
    'paths:',
    `  - file: ./${file}`,
    'transformations:',
    '  - read_json_lines:',
    '      encoding: utf8',
    '      invalid_lines: error',
    '      include_path_column: false',
    '  - convert_column_types:',
    '      - columns: image_url',
    '        column_type: stream_info',
    '',
  ].join('\n');
}

/**
 * An Azure ML dataset folder: the JSONL export (`<project>_<timestamp>.jsonl`, exactly what
 * `exportJsonl` writes) followed by the `MLTable` that reads it. Write it with `writeFilesToStore`
 * (to `exportKey(out)`, `Labeling/export/jsonl/<project>_<timestamp>/`) or `writeExportFiles`.
 * For Azure ML to open the images, `image_url` must be a datastore URL: pass
 * `imageUrl: azuremlImageUrl({...})`.
 */
export function exportAzureMlDataset(reader: ProjectReader, options: JsonlExportOptions = {}): ExportFiles {
  const jsonl = exportJsonl(reader, options);
  const name = jsonl.fileName.replace(/\.jsonl$/, '');
  return new ExportFiles({
    name,
    format: 'jsonl',
    report: jsonl.report,
    date: options.date ?? new Date(),
    source: async function* () {
      yield { path: jsonl.fileName, chunks: jsonl };
      yield { path: 'MLTable', chunks: [new TextEncoder().encode(azureMlTable(jsonl.fileName))] };
    },
  });
}
