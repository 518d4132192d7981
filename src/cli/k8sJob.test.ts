import { readFileSync } from 'node:fs';
import { Job } from 'kubernetes-models/batch/v1';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * deploy/k8s-indexed-job.yaml against the official Kubernetes schema, offline (kubernetes-models
 * validates an object as the API server's OpenAPI schema says; Debian's kubectl would need a server
 * even for --dry-run=client), and the settings that make a requeue safe.
 */
const manifest = () => parse(readFileSync('deploy/k8s-indexed-job.yaml', 'utf8')) as Record<string, never>;

describe('the Kubernetes Indexed Job', () => {
  it('is a valid batch/v1 Job that never runs a replacement pod beside a terminating one', () => {
    const job = new Job(manifest());
    expect(() => job.validate()).not.toThrow();
    const spec = job.spec!;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.podReplacementPolicy).toBe('Failed');
    expect(spec.backoffLimitPerIndex).toBeGreaterThan(0);
    expect(spec.completions).toBe(spec.parallelism);
    const pod = spec.template.spec!;
    expect(pod.restartPolicy).toBe('Never');
    // The runner stops within seconds of SIGTERM; the grace period leaves room for the step in flight.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    const shard = pod.containers[0];
    expect(shard.args).toEqual(expect.arrayContaining(['--shard', `auto/${spec.completions}`]));
    expect(shard.volumeMounts?.[0].mountPath).toBe('/sweep');
  });

  it('the schema check catches a wrong value and a wrong type (the test can fail)', () => {
    const bad = manifest() as unknown as { spec: Record<string, unknown> };
    expect(() =>
      new Job({ ...bad, spec: { ...bad.spec, podReplacementPolicy: 'Sometimes' } } as never).validate(),
    ).toThrow();
    expect(() => new Job({ ...bad, spec: { ...bad.spec, completions: 'eight' } } as never).validate()).toThrow();
  });
});
