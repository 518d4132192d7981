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

/** Records Content-Security-Policy violations reported by the page (and its workers). */
export function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|evaluate|compile|connect|create)/i.test(m.text()))
      violations.push(m.text());
  });
  page.on('pageerror', (e) => {
    if (/EvalError|Content Security Policy/i.test(e.message)) violations.push(e.message);
  });
  return violations;
}

/** Everything a session must not do, watched at once: page errors, CSP violations, off-site requests. */
export function watchPage(page: Page): { pageErrors: string[]; csp: string[]; offsite: string[] } {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { pageErrors, csp: watchCsp(page), offsite: watchRequests(page) };
}
