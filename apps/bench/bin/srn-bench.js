#!/usr/bin/env node
// srn-bench, compiled ahead of time: runs dist/cli.js in this process (no TypeScript loader, no child process, so a
// signal sent to this process reaches the whole CLI).
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist')) throw error;
  process.stderr.write(
    'srn-bench is not built (no dist/ or a package it imports has no dist/).\n' +
      "From the srn repository run 'npm run build' (npm start and npm test build it for you).\n",
  );
  process.exit(1);
}
cli.runCli(process.argv.slice(2));
