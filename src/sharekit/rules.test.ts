// Pure share-kit rules: template parsing and rendering (every variable, braces, unknowns, limits),
// the Shanghai window text, offer order, poster content and its cache-key text, fetchable URLs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_TEMPLATES, POSTER_HEROES_MAX, TEMPLATE_BODY_MAX_CHARS, TEMPLATE_TITLE_MAX_CHARS, TEMPLATE_VARIABLES, checkTemplate, isFetchableImageUrl,
  orderOffers, parseTemplate, posterContent, posterKeyText, posterOffers, renderTemplate, shanghaiMoment, shanghaiWindow, templateValues, type KitFacts, type KitOffer,
} from './rules.ts';

const offer = (over: Partial<KitOffer>): KitOffer => ({ offerId: 'o', skuId: 's', productTitle: '羽绒服', imageUrl: null, publicPriceFen: 99_900, clearancePriceFen: 12_345, isHero: false, position: 0, ...over });
const facts: KitFacts = {
  storeName: '北岸', eventTitle: '冬季清仓', startsAt: '2026-12-10T02:00:00.000Z', endsAt: '2026-12-10T14:00:00.000Z',
  url: 'https://h.example/e/lnk_x.y', shareCode: 'K7MX4PQ2', promoterName: '小鹿妈妈',
  offers: [offer({ offerId: 'b', productTitle: '袜子', position: 0, clearancePriceFen: 900, publicPriceFen: 2900 }), offer({ offerId: 'a', productTitle: '羽绒服', isHero: true, position: 1 })],
};

describe('copy templates', () => {
  it('renders every variable for a promoter', () => {
    const values = templateValues(facts);
    assert.deepEqual(values, {
      store: '北岸', event: '冬季清仓', start: '12月10日 10:00', end: '12月10日 22:00', link: 'https://h.example/e/lnk_x.y', code: 'K7MX4PQ2',
      promoter: '小鹿妈妈', hero: '羽绒服', price: '123.45', publicPrice: '999.00',
    });
    const body = TEMPLATE_VARIABLES.map((v) => `${v}={${v}}`).join('|');
    assert.equal(renderTemplate(body, values), TEMPLATE_VARIABLES.map((v) => `${v}=${values[v]}`).join('|'));
    assert.equal(renderTemplate('{price}{price} {{literal}} }}', values), '123.45123.45 {literal} }');
    assert.equal(renderTemplate('没有变量', values), '没有变量');
    assert.equal(renderTemplate('', values), '');
  });

  it('names unknown variables and unbalanced braces', () => {
    const issues = (body: string) => parseTemplate(body).issues;
    assert.deepEqual(issues('{foo} and {store}').map((i) => i.variable), ['foo']);
    assert.match(issues('{foo}')[0]?.message ?? '', /unknown variable \{foo\}/);
    assert.deepEqual(issues('{}').map((i) => i.variable), ['']);
    assert.deepEqual(issues('{ store }').map((i) => i.variable), [' store ']);
    assert.deepEqual(issues('{Store}').map((i) => i.variable), ['Store']);
    assert.match(issues('{store')[0]?.message ?? '', /unbalanced "\{"/);
    assert.match(issues('store}')[0]?.message ?? '', /unbalanced "\}"/);
    assert.match(issues('{sto{re}')[0]?.message ?? '', /unbalanced "\{"/);
    assert.equal(issues('{{store}}').length, 0, 'doubled braces are literal');
    assert.equal(issues('{{{store}}}').length, 0);
    assert.throws(() => renderTemplate('{nope}', templateValues(facts)));
  });

  it('checks titles and bodies for blanks and lengths', () => {
    assert.deepEqual(checkTemplate({ title: '预告', body: '{store}' }), []);
    assert.deepEqual(checkTemplate({ title: '  ' }).map((i) => i.path), ['/title']);
    assert.deepEqual(checkTemplate({ title: 'x'.repeat(TEMPLATE_TITLE_MAX_CHARS + 1) }).map((i) => i.path), ['/title']);
    assert.deepEqual(checkTemplate({ title: '字'.repeat(TEMPLATE_TITLE_MAX_CHARS) }), [], 'characters, not bytes');
    assert.deepEqual(checkTemplate({ body: 'x'.repeat(TEMPLATE_BODY_MAX_CHARS + 1) }).map((i) => i.path), ['/body']);
    assert.deepEqual(checkTemplate({ body: ' \n ' }).map((i) => i.path), ['/body']);
    assert.deepEqual(checkTemplate({}), []);
  });

  it('parses any text without throwing, and what it accepts renders with every value in place', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (body) => {
      const { issues } = parseTemplate(body);
      if (issues.length === 0) assert.equal(typeof renderTemplate(body, templateValues(facts)), 'string');
    }), { seed: 20261210, numRuns: 2000 });
    // Text without braces renders as itself.
    fc.assert(fc.property(fc.string({ maxLength: 60 }).filter((s) => !/[{}]/.test(s)), (body) => {
      assert.equal(renderTemplate(body, templateValues(facts)), body);
    }), { seed: 20261211, numRuns: 500 });
  });

  it('ships two valid zh-CN defaults that carry the link and the code', () => {
    assert.equal(DEFAULT_TEMPLATES.length, 2);
    for (const t of DEFAULT_TEMPLATES) {
      assert.deepEqual(checkTemplate(t), []);
      const text = renderTemplate(t.body, templateValues(facts));
      assert.ok(text.includes(facts.url) && text.includes(facts.shareCode), text);
      assert.doesNotMatch(text, /[{}]/);
    }
  });
});

describe('window and offers', () => {
  it('shows times in Asia/Shanghai', () => {
    assert.equal(shanghaiMoment('2026-12-10T02:00:00.000Z'), '12月10日 10:00');
    assert.equal(shanghaiMoment('2026-12-31T16:30:00.000Z'), '1月1日 00:30');
    assert.equal(shanghaiWindow('2026-12-10T02:00:00.000Z', '2026-12-10T14:00:00.000Z'), '12月10日 10:00–22:00');
    assert.equal(shanghaiWindow('2026-12-10T02:00:00.000Z', '2026-12-10T16:00:00.000Z'), '12月10日 10:00–24:00');
    assert.equal(shanghaiWindow('2026-12-10T12:00:00.000Z', '2026-12-10T18:00:00.000Z'), '12月10日 20:00–12月11日 02:00');
    assert.equal(shanghaiWindow('2026-12-09T16:00:00.000Z', '2026-12-10T04:00:00.000Z'), '12月10日 00:00–12:00');
  });

  it('puts heroes first, then the merchant order; a poster shows at most two heroes or the first offer', () => {
    const offers = [offer({ offerId: 'c', position: 2 }), offer({ offerId: 'h2', isHero: true, position: 3 }), offer({ offerId: 'a', position: 0 }), offer({ offerId: 'h1', isHero: true, position: 1 }), offer({ offerId: 'h3', isHero: true, position: 5 })];
    assert.deepEqual(orderOffers(offers).map((o) => o.offerId), ['h1', 'h2', 'h3', 'a', 'c']);
    assert.deepEqual(posterOffers(offers).map((o) => o.offerId), ['h1', 'h2']);
    assert.equal(POSTER_HEROES_MAX, 2);
    assert.deepEqual(posterOffers(offers.filter((o) => !o.isHero)).map((o) => o.offerId), ['a']);
    assert.deepEqual(posterOffers([]), []);
  });

  it('builds the poster content and a key text that changes with anything drawn', () => {
    const content = posterContent(facts);
    assert.equal(content.windowText, '12月10日 10:00–22:00');
    assert.deepEqual(content.heroes, [{ title: '羽绒服', imageUrl: null, priceText: '123.45', publicPriceText: '999.00' }]);
    const key = posterKeyText(content, ['placeholder']);
    assert.equal(posterKeyText(posterContent(facts), ['placeholder']), key);
    assert.notEqual(posterKeyText(content, ['abc']), key);
    assert.notEqual(posterKeyText({ ...content, shareCode: 'OTHER' }, ['placeholder']), key);
    assert.notEqual(posterKeyText(posterContent({ ...facts, offers: [offer({ isHero: true, clearancePriceFen: 12_300 })] }), ['placeholder']), key);
    assert.notEqual(posterKeyText(posterContent({ ...facts, endsAt: '2026-12-10T15:00:00.000Z' }), ['placeholder']), key);
    assert.equal(posterKeyText(posterContent({ ...facts, promoterName: 'someone else' }), ['placeholder']), key, 'the name is not drawn');
  });

  it('fetches only plain http(s) image URLs', () => {
    for (const ok of ['https://img.example.com/a.jpg', 'http://cdn.example.cn/x.png?w=300']) assert.equal(isFetchableImageUrl(ok), true, ok);
    for (const bad of [null, '', 'file:///etc/passwd', 'data:image/png;base64,AAAA', 'ftp://x/y.png', '/etc/passwd', 'https://user:pw@img.example.com/a.jpg', 'javascript:alert(1)', `https://x.example/${'a'.repeat(2001)}`, 'not a url']) {
      assert.equal(isFetchableImageUrl(bad), false, String(bad));
    }
  });
});
