#!/usr/bin/env node
// `streamcap …` runs straight from the TypeScript sources through tsx, so
// `npx streamcap` works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/main.ts');
