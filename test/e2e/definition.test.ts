import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { fingerprint, loadLocalStack, validateDefinition } from '../../src/cli/twin/stack-cache.js';
import { TEMPLATE_INPUTS } from '../../infra/twin-inputs.js';
import { synthesizeLocalStack, synthesizer } from '../helpers/twin.js';
import { projectConfig } from '../helpers/synth.js';

describe('the stack the twin runs', () => {
  it('is the synthesized one, whether fresh or from the fingerprinted cache', async () => {
    const config = projectConfig();
    const fresh = synthesizeLocalStack(config);
    const first = await loadLocalStack(config, synthesizer, { API_LAKE_NO_CACHE: '1' });
    const again = await loadLocalStack(config, synthesizer);
    expect(first.cached).toBe(false);
    expect(again.cached).toBe(true);
    expect(first.stack).toEqual(fresh);
    expect(again.stack).toEqual(fresh);
  });

  it('does not depend on the source URL, which the fingerprint therefore leaves out', () => {
    const base = projectConfig();
    const elsewhere = parseConfig({ ...base, source: { ...base.source, url: 'http://127.0.0.1:4321/v1/current.json' } });
    expect(synthesizeLocalStack(elsewhere).definition).toEqual(synthesizeLocalStack(base).definition);
    expect(fingerprint(elsewhere, TEMPLATE_INPUTS)).toBe(fingerprint(base, TEMPLATE_INPUTS));
  });

  it('gets a new fingerprint when a file of the synthesizer inputs changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-lake-inputs-'));
    writeFileSync(join(dir, 'a.ts'), 'export const a = 1;');
    const before = fingerprint(projectConfig(), [dir]);
    writeFileSync(join(dir, 'a.ts'), 'export const a = 2;');
    expect(fingerprint(projectConfig(), [dir])).not.toBe(before);
    rmSync(dir, { recursive: true });
  });

  it('gets a new fingerprint when anything that shapes it changes', () => {
    const base = projectConfig();
    expect(fingerprint(parseConfig({ ...base, retry: { ...base.retry, maxAttempts: 5 } }), TEMPLATE_INPUTS)).not.toBe(fingerprint(base, TEMPLATE_INPUTS));
    expect(fingerprint(parseConfig({ ...base, source: { ...base.source, name: 'other' } }), TEMPLATE_INPUTS)).not.toBe(fingerprint(base, TEMPLATE_INPUTS));
  });

  it('is validated before it is cached, and the validator refuses a broken one', async () => {
    const { definition } = synthesizeLocalStack(projectConfig());
    await expect(validateDefinition(definition)).resolves.toBeUndefined();
    const [first] = Object.keys(definition.States);
    const broken = { ...definition, States: { ...definition.States, [first!]: { ...definition.States[first!]!, Next: 'NoSuchState' } } };
    await expect(validateDefinition(broken)).rejects.toThrow(/State machine definition is invalid/);
  });
});
