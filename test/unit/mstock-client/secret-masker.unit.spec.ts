import { describe, expect, it } from 'vitest';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';

describe('SecretMasker', () => {
  it('masks secrets as written, percent-encoded and form-encoded', () => {
    const masker = new SecretMasker(['k+y/=@1', 'pass word']);
    expect(
      masker.mask('raw k+y/=@1, url k%2By%2F%3D%401, raw pass word, form pass+word, url pass%20word'),
    ).toBe('raw ***, url ***, raw ***, form ***, url ***');
  });

  it('masks a secret that contains another one whole', () => {
    const masker = new SecretMasker(['abc', 'xxabcxx']);
    expect(masker.mask('token xxabcxx')).toBe('token ***');
  });

  it('takes secrets learned later, and ignores empty or missing ones', () => {
    const masker = new SecretMasker([undefined, '']);
    expect(masker.mask('nothing to hide')).toBe('nothing to hide');
    masker.add('eyJhbGciOi.token');
    expect(masker.mask('Authorization: token key:eyJhbGciOi.token')).toBe('Authorization: token key:***');
  });
});
