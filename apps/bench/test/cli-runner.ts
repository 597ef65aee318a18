/**
 * Runs the CLI from its TypeScript sources in this process, as bin/srn-bench.js runs dist/cli.js: tests that need a
 * real process (signals, SIGKILL) spawn `node --import tsx test/cli-runner.ts ARGS`.
 */
import { runCli } from '../src/cli.ts';

runCli(process.argv.slice(2));
