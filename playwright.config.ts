import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS as baseArgs, CHROMIUM_PATH as executablePath } from './e2e/chromium';
const port = Number(process.env.E2E_PORT ?? 4173);
// The dev server: the path the README's first command (npm start) takes, tested too.
const devPort = Number(process.env.E2E_DEV_PORT ?? 5174);

export default defineConfig({
  testDir: 'e2e',
  timeout: 300_000,
  expect: { timeout: 120_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // The list for people; the JSON for src/build/testTimes.ts (docs/test-times.md).
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  outputDir: 'test-results/artifacts',
  use: { baseURL: `http://localhost:${port}`, viewport: { width: 1280, height: 800 }, trace: 'off' },
  webServer: [
    {
      command: `npx vite preview --port ${port} --strictPort`,
      url: `http://localhost:${port}`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: `npx vite --port ${devPort} --strictPort`,
      url: `http://localhost:${devPort}`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
  ],
  projects: [
    {
      name: 'chromium-dev-server',
      testMatch: /liveLoss\.spec\.ts/,
      use: {
        baseURL: `http://localhost:${devPort}`,
        browserName: 'chromium',
        launchOptions: { executablePath, args: baseArgs },
      },
    },
    {
      name: 'chromium',
      testIgnore: /webgpu\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: baseArgs } },
    },
    {
      name: 'chromium-webgpu',
      testMatch: /webgpu\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath,
          args: [...baseArgs, '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'],
        },
      },
    },
  ],
});
