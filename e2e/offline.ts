import type { Page } from '@playwright/test';

/** Records every request the page makes; the lab must never leave localhost. */
export function watchRequests(page: Page): string[] {
  const offsite: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) offsite.push(req.url());
  });
  return offsite;
}
