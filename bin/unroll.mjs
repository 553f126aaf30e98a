#!/usr/bin/env node
// The `unroll` command. The runtime is TypeScript; tsx compiles it on load (cached), so the
// command runs from a fresh clone after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// `unroll train … | head` closes the pipe early: stop quietly instead of printing a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
const { main } = await import('../runtime/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
  stdoutIsTTY: process.stdout.isTTY === true,
});
