import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const fromHere = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One React build serves both the Electron window (loaded from files) and the agent's browser console,
// plus the end users' waiting room (wait.html, served at /wait; "./assets" then resolves to /assets).
export default defineConfig({
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
});
