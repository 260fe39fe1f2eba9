import { describe, expect, it } from 'vitest';
import { effectiveRunStatus } from './effective-run-status';

describe('effectiveRunStatus', () => {
  it('shows a pause the server recorded before the stream carries it', () => {
    expect(effectiveRunStatus('running', 'paused')).toBe('paused');
    expect(effectiveRunStatus('paused', 'running')).toBe('running');
  });

  it('keeps an ended run ended and waits for the first event before calling a run running', () => {
    expect(effectiveRunStatus('completed', 'running')).toBe('completed');
    expect(effectiveRunStatus('stopped', 'paused')).toBe('stopped');
    expect(effectiveRunStatus('waiting', 'running')).toBe('waiting');
    expect(effectiveRunStatus('running', 'completed')).toBe('running');
    expect(effectiveRunStatus('running', undefined)).toBe('running');
  });
});
