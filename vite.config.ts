import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { precompressPlugin } from './scripts/precompress.js';

const api = `http://127.0.0.1:${process.env.BERTH_PORT ?? '5001'}`;

export default defineConfig({
  root: 'frontend',
  plugins: [vue(), precompressPlugin()],
  build: {
    outDir: '../dist/public',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
