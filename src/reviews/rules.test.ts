import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  HIDDEN_SALE_WORDS, REVIEW_BODY_MAX_CHARS, averageRating, checkReviewBody, decideReview, decideUnhide, hiddenBy, hiddenSaleWordsIn,
  isValidRating, maskBuyerName, namesPrice, reviewDay, screenReview, type OrderForReview,
} from './rules.ts';

const delivered: OrderForReview = { buyerId: 'usr_a', status: 'paid', deliveredAt: '2026-11-26T02:00:00.000Z', quantity: 2, refundedUnits: 0 };

describe('review rules: who may review', () => {
  it('lets the buyer review a delivered order', () => {
    assert.deepEqual(decideReview(delivered, 'usr_a'), { ok: true });
    assert.deepEqual(decideReview({ ...delivered, refundedUnits: 1 }, 'usr_a'), { ok: true }, 'a partial refund leaves something to review');
  });

  it("answers another buyer's order and a missing one alike: not found", () => {
    assert.deepEqual(decideReview(delivered, 'usr_b'), { ok: false, code: 'NOT_FOUND' });
    assert.deepEqual(decideReview(null, 'usr_a'), { ok: false, code: 'NOT_FOUND' });
    // Even an undelivered order of someone else says nothing about its state.
    assert.deepEqual(decideReview({ ...delivered, deliveredAt: null }, 'usr_b'), { ok: false, code: 'NOT_FOUND' });
  });

  it('refuses an order not delivered, not paid, or refunded in full, each with a message', () => {
    for (const order of [
      { ...delivered, deliveredAt: null },
      { ...delivered, status: 'pending_payment' as const, deliveredAt: null },
      { ...delivered, status: 'cancelled' as const },
      { ...delivered, refundedUnits: 2 },
      { ...delivered, quantity: 1, refundedUnits: 1 },
    ]) {
      const decision = decideReview(order, 'usr_a');
      assert.equal(decision.ok, false);
      assert.ok(!decision.ok && decision.code === 'CONFLICT' && (decision.message ?? '').length > 10, JSON.stringify(order));
    }
    const notDelivered = decideReview({ ...delivered, deliveredAt: null }, 'usr_a');
    assert.match(!notDelivered.ok ? notDelivered.message ?? '' : '', /delivered/);
    const refunded = decideReview({ ...delivered, refundedUnits: 2 }, 'usr_a');
    assert.match(!refunded.ok ? refunded.message ?? '' : '', /refunded in full/);
  });
});

describe('review rules: body and rating', () => {
  it('trims the body and keeps 1..1000 characters, counting an emoji as one', () => {
    assert.deepEqual(checkReviewBody('  很好穿  \n'), { ok: true, body: '很好穿' });
    assert.equal(checkReviewBody('   \n\t ').ok, false);
    assert.equal(checkReviewBody('').ok, false);
    assert.equal(checkReviewBody('好'.repeat(REVIEW_BODY_MAX_CHARS)).ok, true);
    assert.equal(checkReviewBody(`  ${'好'.repeat(REVIEW_BODY_MAX_CHARS)}  `).ok, true, 'spaces around do not count');
    assert.equal(checkReviewBody('好'.repeat(REVIEW_BODY_MAX_CHARS + 1)).ok, false);
    assert.equal(checkReviewBody('👍'.repeat(REVIEW_BODY_MAX_CHARS)).ok, true);
    assert.equal(checkReviewBody('👍'.repeat(REVIEW_BODY_MAX_CHARS + 1)).ok, false);
  });

  it('takes whole ratings from 1 to 5 only', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, -1, 2.5, Number.NaN].map(isValidRating), [false, true, true, true, true, true, false, false, false, false]);
  });

  it('averages to one decimal, null without reviews', () => {
    assert.equal(averageRating(0, 0), null);
    assert.equal(averageRating(5, 1), 5);
    assert.equal(averageRating(9, 2), 4.5);
    assert.equal(averageRating(13, 3), 4.3);
    assert.equal(averageRating(14, 3), 4.7);
  });
});

describe('review rules: masked buyer name', () => {
  it('shows only the last four digits of a mobile', () => {
    assert.equal(maskBuyerName('buyer 1a2b', '13912345678'), '买家 ***5678');
    assert.equal(maskBuyerName('13912345678', '13912345678'), '买家 ***5678', 'a name that is the number is not shown');
    assert.equal(maskBuyerName('张三', '+86 139-1234-5678'), '买家 ***5678');
  });

  it('never shows a whole number, and without a mobile only a first letter', () => {
    assert.equal(maskBuyerName('张三丰', null), '张***');
    assert.equal(maskBuyerName('  Alice ', null), 'A***');
    assert.equal(maskBuyerName('13912345678', null), '买家 ***');
    assert.equal(maskBuyerName('', null), '买家 ***');
    assert.equal(maskBuyerName(null, null), '买家 ***');
    assert.equal(maskBuyerName('😀 smile', null), '买家 ***');
    assert.equal(maskBuyerName('张三', '123'), '张***', 'too short to be a mobile');
    for (const mobile of ['13912345678', '13800138000', '19999999999']) {
      for (const name of ['张三', mobile, '', 'x']) {
        const masked = maskBuyerName(name, mobile);
        assert.ok(!masked.includes(mobile) && !masked.includes(mobile.slice(0, 7)), masked);
        assert.ok((masked.match(/[0-9]/g) ?? []).length <= 4, masked);
      }
    }
  });
});

describe('review rules: the day shown', () => {
  it('is the Asia/Shanghai day, no time', () => {
    assert.equal(reviewDay('2026-11-25T15:59:59.999Z'), '2026-11-25');
    assert.equal(reviewDay('2026-11-25T16:00:00.000Z'), '2026-11-26');
    assert.equal(reviewDay('2026-12-31T20:00:00.000Z'), '2027-01-01');
  });
});

describe('review rules: screening for the price paid', () => {
  const named = (text: string, fen = 12_345) => namesPrice(text, fen);

  it('catches the price as a decimal, as fen, and with money marks', () => {
    for (const text of ['才 123.45', '123.45 买的', '¥123.45', '￥123.45', '￥ 123.45', '123.45元', '123.45 元', '１２３．４５', 'RMB123.45', '花了12345', 'cny 123.45', '人民币123.45元']) {
      assert.ok(named(text), text);
    }
    for (const text of ['¥123', '￥123', '¥ 123', '123元', '123 元', '123块', '123块钱', '人民币123', 'rmb 123', '123RMB', '１２３元', '¥123.0', '123.00元']) {
      assert.ok(named(text), `whole yuan: ${text}`);
    }
  });

  it('catches the nearest whole yuan too (123.50 is "124元")', () => {
    assert.ok(named('124元', 12_350));
    assert.ok(named('123元', 12_350));
    assert.ok(named('123.5', 12_350));
    assert.ok(named('123.50', 12_350));
    assert.ok(!named('125元', 12_350));
  });

  it('handles whole prices and thousands commas', () => {
    assert.ok(named('1,234元', 123_400));
    assert.ok(named('¥1,234.00', 123_400));
    assert.ok(named('1234.00', 123_400));
    assert.ok(named('1234.0', 123_400));
    assert.ok(!named('1234', 123_400), 'a bare whole number is not a price');
    assert.ok(!named('穿了123天', 12_300));
    assert.ok(named('123元入手', 12_300));
  });

  it('does not fire on other numbers', () => {
    for (const text of ['1123.45', '123.456', '1234.5', '23.45', '¥1234', '¥12', '1123元', '123.9元', '尺码123cm', '1234567', '123456', 'L码 很合身', '0123.45']) {
      assert.ok(!named(text), text);
    }
    assert.ok(!namesPrice('123.45', 0));
    assert.ok(!namesPrice('123.45', -12_345));
  });

  it('screens the unit price and the total of an event order, never what a public order paid', () => {
    const base = { orderKind: 'event' as const, unitPriceFen: 12_345, totalFen: 24_690 };
    assert.deepEqual(screenReview({ ...base, body: '很好,推荐' }), { hides: false, namesPricePaid: false, words: [] });
    assert.equal(screenReview({ ...base, body: '才¥123.45' }).hides, true);
    assert.equal(screenReview({ ...base, body: '两件一共246.90' }).namesPricePaid, true);
    assert.equal(screenReview({ ...base, body: '两件 ¥247' }).namesPricePaid, true);
    assert.equal(screenReview({ ...base, orderKind: 'public', body: '才¥123.45' }).hides, false, 'a public order paid the public price');
    assert.equal(screenReview({ ...base, totalFen: 12_345, body: '123.45' }).namesPricePaid, true);
  });
});

describe('review rules: screening for the hidden sale', () => {
  it('finds every listed word, however it is spaced, cased or widened', () => {
    for (const word of HIDDEN_SALE_WORDS) {
      assert.ok(hiddenSaleWordsIn(`东西不错,${word}很划算`).includes(word), word);
      assert.ok(hiddenSaleWordsIn(`A${[...word].join(' ')}B`).includes(word), `spaced ${word}`);
      assert.ok(hiddenSaleWordsIn(word.toUpperCase()).includes(word), `upper ${word}`);
    }
    assert.ok(hiddenSaleWordsIn('清-仓*价').includes('清仓价'));
    assert.ok(hiddenSaleWordsIn('清·仓·价').includes('清仓价'));
    assert.ok(hiddenSaleWordsIn('Promo-Code 拿的').includes('promo code'));
    assert.ok(hiddenSaleWordsIn('ｓｈａｒｅ ｃｏｄｅ').includes('share code'));
    assert.ok(hiddenSaleWordsIn('群里的口令').includes('口令'));
    assert.ok(hiddenSaleWordsIn('通过推广链接买的').includes('推广链接'));
    assert.ok(hiddenSaleWordsIn('内部价拿到').includes('内部价'));
    assert.ok(hiddenSaleWordsIn('专享价').includes('专享价'));
    assert.ok(hiddenSaleWordsIn('特卖').includes('特卖'));
  });

  it('passes ordinary reviews', () => {
    for (const text of ['质量很好,尺码标准', '物流很快,包装完整', 'Great jacket, warm and light', '颜色和图片一样 👍', '第二次买了,推荐给朋友', '价格公道']) {
      assert.deepEqual(hiddenSaleWordsIn(text), [], text);
      assert.equal(screenReview({ body: text, orderKind: 'event', unitPriceFen: 12_345, totalFen: 12_345 }).hides, false, text);
    }
  });

  it('hides a public order\'s review that names the hidden sale too', () => {
    const screening = screenReview({ body: '等清仓价再买就好了', orderKind: 'public', unitPriceFen: 99_900, totalFen: 99_900 });
    assert.equal(screening.hides, true);
    assert.deepEqual(screening.words, ['清仓价', '清仓']);
  });
});

describe('review rules: hidden by whom, and unhiding', () => {
  const clean = screenReview({ body: '很好', orderKind: 'event', unitPriceFen: 12_345, totalFen: 12_345 });
  const screened = screenReview({ body: '清仓价 123.45', orderKind: 'event', unitPriceFen: 12_345, totalFen: 12_345 });
  const at = '2026-11-26T02:00:00.000Z';

  it('names the screening first, then the merchant', () => {
    assert.equal(hiddenBy(null, clean), null);
    assert.equal(hiddenBy(at, clean), 'merchant');
    assert.equal(hiddenBy(at, screened), 'screening');
    assert.equal(hiddenBy(null, screened), 'screening', 'a word added to the list later hides it too');
  });

  it('lets a merchant show again only what they hid', () => {
    assert.deepEqual(decideUnhide(at, clean), { ok: true, write: true });
    assert.deepEqual(decideUnhide(null, clean), { ok: true, write: false });
    assert.equal(decideUnhide(at, screened).ok, false);
    assert.equal(decideUnhide(null, screened).ok, false);
  });
});
