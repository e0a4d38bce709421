import { defineConfig } from 'vitest/config';

// meterd serves the built console at "/" from web/dist; relative asset paths ("./assets/...")
// keep the bundle independent of where it is mounted. In development, `npm run dev` forwards the
// API to a meterd running on 127.0.0.1:8080 (override with METERD_DEV_API).
// (Declared here so type-checking needs no @types/node.)
declare const process: { env: Record<string, string | undefined> };
const apiTarget = process.env.METERD_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/metrics': { target: apiTarget, changeOrigin: true },
    },
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
