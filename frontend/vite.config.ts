import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Django serves the built app: index.html for every page, its assets from STATIC_URL (/static/).
// The dev server (`npm run dev`) serves at / and hands /api to a Django runserver on :8000.
export default defineConfig(({ command }) => ({
  base: command === "build" ? "/static/" : "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    restoreMocks: true,
  },
}));
