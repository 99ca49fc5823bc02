#!/usr/bin/env node
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    process.stderr.write(`${err.message.startsWith('airlock:') ? err.message : `airlock: ${err.message}`}\n`);
    process.exit(1);
  });
