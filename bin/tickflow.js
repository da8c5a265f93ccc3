#!/usr/bin/env node
// A source checkout runs its TypeScript directly (Node 24 strips types), so a dist/ left by an
// earlier build never runs stale code there; the installed package and the Docker image ship no
// src/ and run the compiled CLI.
import { existsSync } from 'node:fs';

const source = new URL('../src/app/root/cli/main.ts', import.meta.url);
await import(
  existsSync(source) ? source.href : new URL('../dist/src/app/root/cli/main.js', import.meta.url).href
);
