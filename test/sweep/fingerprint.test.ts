import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeFingerprint, sweepVersion } from '../../src/sweep/fingerprint.js';
import { tmp } from '../helpers.js';

describe('codeFingerprint', () => {
  it('changes with any source file, and only with source files', () => {
    const root = dirname(tmp('x'));
    mkdirSync(`${root}/mm`);
    writeFileSync(`${root}/a.ts`, 'export const a = 1;');
    writeFileSync(`${root}/mm/b.ts`, 'export const b = 2;');
    const first = codeFingerprint(root);
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(codeFingerprint(root)).toBe(first);
    writeFileSync(`${root}/notes.md`, 'not code');
    expect(codeFingerprint(root)).toBe(first);
    writeFileSync(`${root}/mm/b.ts`, 'export const b = 3;');
    expect(codeFingerprint(root)).not.toBe(first);
  });
  it('the sweep version is the package version and the fingerprint of this source tree', () => {
    expect(sweepVersion('0.1.0')).toMatch(/^0\.1\.0\+[0-9a-f]{12}$/);
  });
});
