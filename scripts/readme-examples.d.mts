/** A fenced TypeScript block of a README and the line it starts on. */
export interface ReadmeExample {
  readonly line: number;
  readonly code: string;
}

/** The ```ts fenced blocks of a Markdown file, with the line each starts on (1-based). */
export function readmeExamples(readmePath: string): ReadmeExample[];

/** Runs one example inside `packageDir` (imports of the package itself resolve to its sources). */
export function runReadmeExample(example: ReadmeExample, packageDir: string): Promise<unknown>;

/** Declares one vitest test per TypeScript example of the README of the package at `packageDirUrl`. */
export function describeReadmeExamples(packageDirUrl: URL): void;
