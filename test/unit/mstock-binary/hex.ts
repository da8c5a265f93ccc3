/** Bytes from hex written out in a test: whitespace, `|` and comments after `#` on a line ignored. */
export const hex = (text: string): Uint8Array => {
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/[\s|]+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not hex bytes: ${digits}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
};
