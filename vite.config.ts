import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// One React build serves both the Electron window (loaded from files) and the agent's browser console.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
});
