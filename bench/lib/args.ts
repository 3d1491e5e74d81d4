// Command-line options of a benchmark: `--name value` and bare `--flag`s.
const argv = process.argv.slice(2);

/** The value after `--name`, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
}

/** Whether `--name` was given. */
export function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}
