// The window's front end: TypeScript modules in ui/src bundled by Vite into ui/dist, which
// tauri.conf.json's frontendDist serves (and the Rust build embeds). Tests: vitest in jsdom.
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: "ui",
  // Relative asset URLs: the bundle is served from Tauri's own scheme, never a dev server.
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts"],
  },
});
