import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, isManyPromoters } from './rules.ts';

describe('fraud rules', () => {
  it('gives one key to one address however it is typed', () => {
    const a = addressKey({ province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号 3 单元' });
    assert.equal(addressKey({ province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路1号3单元' }), a);
    assert.equal(addressKey({ province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路１号，３单元。' }), a);
    assert.notEqual(addressKey({ province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 2 号 3 单元' }), a);
    assert.notEqual(addressKey({ province: '浙江省', city: '杭州市', district: '滨江区', detail: '文三路 1 号 3 单元' }), a);
    assert.equal(addressKey({ detail: 'Room 5, ABC Road' }), addressKey({ detail: 'room5abcroad' }));
  });

  it('flags at the threshold and beyond', () => {
    assert.equal(isManyPromoters(2, 3), false);
    assert.equal(isManyPromoters(3, 3), true);
    assert.equal(isManyPromoters(7, 3), true);
    assert.throws(() => isManyPromoters(3, 1));
  });
});
