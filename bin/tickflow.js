#!/usr/bin/env node
// The installed package runs the compiled CLI; a source checkout without a build runs the
// TypeScript directly (Node 24 strips types).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/app/cli/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../src/app/cli/main.ts', import.meta.url).href);
