/**
 * The dashboard's build: `npm run build:dashboard` writes dist/dashboard, which the control API
 * serves at its root (src/api/dashboard/assets.ts). Relative asset URLs (`base: './'`), so it
 * also works behind a proxy under a path; no inline script (the page's CSP allows only its own
 * files); Preact's automatic JSX runtime.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/dashboard',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
