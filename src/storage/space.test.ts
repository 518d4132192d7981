import { afterEach, describe, expect, it, vi } from 'vitest';
import { noRoomFor, storageErrorMessage } from './space';

afterEach(() => vi.unstubAllGlobals());

describe('storage space in words', () => {
  it('names a full disk even when the error carries no message', () => {
    const quota = Object.assign(new Error(''), { name: 'QuotaExceededError' });
    expect(storageErrorMessage(quota)).toBe('the browser’s storage for this site is full (QuotaExceededError)');
    expect(storageErrorMessage(Object.assign(new Error(''), { name: 'AbortError' }))).toBe(
      'AbortError (the browser gave no detail)',
    );
    expect(storageErrorMessage(new Error('the tab was closed'))).toBe('the tab was closed');
    expect(storageErrorMessage(null)).toBe('an unknown storage error (the browser gave no detail)');
  });

  it('says before a write when it cannot fit', async () => {
    vi.stubGlobal('navigator', { storage: { estimate: () => Promise.resolve({ quota: 10e6, usage: 9.5e6 }) } });
    expect(await noRoomFor(1e6, 'The run')).toBe(
      'The run needs about 1.0 MB and the browser leaves this site 0.5 MB (quota 10.0 MB)',
    );
    expect(await noRoomFor(0.3e6, 'The run')).toBeNull();
    vi.stubGlobal('navigator', {});
    expect(await noRoomFor(1e12, 'The run')).toBeNull(); // the browser does not say: try the write
  });
});
