// Share codes survive the ways chat apps mangle pasted text; link tokens keep their exact shape.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractShareCode, linkTokenFromText, phaseAt, shareCodeFrom, shareText, splitLinkToken, SHARE_CODE_ALPHABET } from './rules.ts';

describe('access rules', () => {
  it('finds the code in pasted share text, whatever the app did to it', () => {
    const code = 'HS7K2M9Q';
    const text = shareText(code, '骆驼', '冬季清仓');
    assert.equal(extractShareCode(text), code);
    assert.equal(extractShareCode(`复制 ￥${code.toLowerCase()}￥ 打开`), code);
    assert.equal(extractShareCode(`¥${code}¥`), code);
    assert.equal(extractShareCode(`  ${code}  `), code);
    assert.equal(extractShareCode('ＨＳ７Ｋ２Ｍ９Ｑ'), code, 'full-width characters');
    assert.equal(extractShareCode('no code here'), null);
    assert.equal(extractShareCode('￥HS7K2M0Q￥'), null, '0 is not in the alphabet');
  });

  it('makes uniform codes of the alphabet only', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const code = shareCodeFrom(bytes);
      if (code === null) return true;
      return code.length === 8 && [...code].every((c) => SHARE_CODE_ALPHABET.includes(c)) && extractShareCode(`￥${code}￥`) === code;
    }));
  });

  it('accepts only exact link tokens', () => {
    const token = `lnk_${'0'.repeat(26)}.${'A'.repeat(22)}`;
    assert.ok(splitLinkToken(token));
    assert.equal(splitLinkToken(`${token}x`), null, 'junk appended');
    assert.equal(splitLinkToken(token.replace('.', '')), null);
    assert.equal(linkTokenFromText(`看这里 http://localhost:3000/e/${token}`), token);
    assert.equal(linkTokenFromText(`http://x/e/${token}?from=wx`), token);
    assert.equal(linkTokenFromText(`快看 http://x/e/${token} 冲`), token, 'a link pasted with words around it');
  });

  it('tells the phase of a window', () => {
    const w = { startsAt: '2026-11-25T02:00:00.000Z', endsAt: '2026-11-25T14:00:00.000Z', status: 'scheduled' };
    assert.equal(phaseAt(w, Date.parse('2026-11-25T01:59:59.999Z')), 'warmup');
    assert.equal(phaseAt(w, Date.parse('2026-11-25T02:00:00.000Z')), 'live');
    assert.equal(phaseAt(w, Date.parse('2026-11-25T14:00:00.000Z')), 'ended');
    assert.equal(phaseAt({ ...w, status: 'cancelled' }, Date.parse('2026-11-25T03:00:00.000Z')), 'ended');
  });
});
