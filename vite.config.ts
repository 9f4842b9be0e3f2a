import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

const fromHere = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One React build serves both the Electron window (loaded from files) and the agent's browser console,
// plus the end users' waiting room (wait.html, served at /wait; "./assets" then resolves to /assets).
const config: UserConfig = {
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        main: fromHere('./renderer/index.html'),
        wait: fromHere('./renderer/wait.html'),
      },
    },
  },
};

// Builds are always React's production build: one started from a process with NODE_ENV set
// otherwise (an agent that a test started inherits NODE_ENV=test) made the development
// build, 2.1 times the main-thread time per live update (bench:ui), and left it in dist/renderer for the
// starts after it. Vite takes NODE_ENV from the environment as it finds it after loading this.
export default defineConfig(({ command }) => {
  if (command === 'build') process.env.NODE_ENV = 'production';
  return config;
});
