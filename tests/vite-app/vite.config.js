import { defineConfig } from 'vite';
import wasm from 'vite-plugin-wasm';

// The `--target bundler` package imports its .wasm as an ES module; vite-plugin-wasm turns
// that into an instantiation with top-level await, hence `esnext`.
export default defineConfig({
  plugins: [wasm()],
  build: {
    target: 'esnext',
    outDir: 'dist',
    emptyOutDir: true,
  },
  optimizeDeps: {
    exclude: ['stompwire'],
  },
});
