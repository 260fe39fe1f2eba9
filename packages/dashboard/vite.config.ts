import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard is served by `sandtable serve` from `dist/` on the API's own origin, so every
 * request is relative and no proxy is needed in production. `npm run dev -w packages/dashboard`
 * proxies `/api` to a running `sandtable serve` (SANDTABLE_API, default http://127.0.0.1:4000).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  server: {
    proxy: { '/api': process.env.SANDTABLE_API ?? 'http://127.0.0.1:4000' },
  },
});
