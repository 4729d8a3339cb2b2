#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build), for development. The oclif manifest written by the
// build is ignored here, so commands added since the last build are found.
import { execute } from '@oclif/core';
await execute({ development: true, dir: import.meta.url, loadOptions: { ignoreManifest: true } });
