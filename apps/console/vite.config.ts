import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const controlPlane = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/graphql': { target: controlPlane, ws: true, changeOrigin: true },
      '/console-config.json': { target: controlPlane },
    },
  },
});
