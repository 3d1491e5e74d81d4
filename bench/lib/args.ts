// Command-line options of a benchmark: `--name value`, `--name=value` (the IndexedDB benchmarks) and bare `--flag`s.
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

/** The value of `--name=value`, else undefined. */
export function eqArg(name: string): string | undefined {
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** `--name=a,b,c` as numbers, else `fallback`. */
export function numbers(name: string, fallback: number[]): number[] {
  return eqArg(name)?.split(',').map(Number) ?? fallback;
}
