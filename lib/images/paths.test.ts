import { describe, expect, it } from 'vitest';
import { checkImageName, imageContentType, SNOWFLAKE_PATTERN } from './paths';

describe('image names from the browser', () => {
  it('accepts <session>/<file> names of images', () => {
    const r = checkImageName('019a2b3c-0d4e-7f00-8000-000000000001/ig_0123abcd.png');
    expect(r).toEqual({
      ok: true,
      name: '019a2b3c-0d4e-7f00-8000-000000000001/ig_0123abcd.png',
      thread: '019a2b3c-0d4e-7f00-8000-000000000001',
      file: 'ig_0123abcd.png',
    });
  });

  it.each([
    ['../auth.json', /letters, digits/],
    ['abc/../../auth.json', /letters, digits/],
    ['abc/..', /Hidden names|Only PNG/],
    ['abc/..png', /Hidden names/],
    ['/etc/passwd', /Absolute/],
    ['abc/%2e%2e', /Encoded/],
    ['abc%2F..%2Fauth.json', /Encoded/],
    ['abc/.hidden.png', /Hidden/],
    ['abc/def/ghi.png', /letters, digits/],
    ['abc\\..\\x.png', /letters, digits/],
    ['abc/ｉｍａｇｅ.png', /letters, digits/],
    ['abc/i\u0307mage.png', /letters, digits/],
    ['abc/image.png\u0000', /letters, digits/],
    ['abc/notes.txt', /Only PNG/],
    ['abc', /letters, digits/],
    ['', /No image name/],
    ['a'.repeat(101) + '/x.png', /letters, digits/],
  ])('refuses %j', (name, why) => {
    const r = checkImageName(name);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('refuses what is not a string', () => {
    expect(checkImageName(undefined).ok).toBe(false);
    expect(checkImageName(['a/b.png']).ok).toBe(false);
  });

  it('knows the content type of each image kind and nothing else', () => {
    expect(imageContentType('a.PNG')).toBe('image/png');
    expect(imageContentType('a.jpeg')).toBe('image/jpeg');
    expect(imageContentType('a.webp')).toBe('image/webp');
    expect(imageContentType('a.svg')).toBeNull();
  });

  it('recognises Discord snowflakes only', () => {
    expect(SNOWFLAKE_PATTERN.test('123456789012345678')).toBe(true);
    expect(SNOWFLAKE_PATTERN.test('12345')).toBe(false);
    expect(SNOWFLAKE_PATTERN.test('12345678901234567a')).toBe(false);
    expect(SNOWFLAKE_PATTERN.test(' 123456789012345678')).toBe(false);
  });
});
