import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mainlandProvince } from './address.ts';

describe('mainland addresses', () => {
  it('accepts the 31 divisions by short name, full name or pinyin', () => {
    for (const [input, short] of [['浙江省', '浙江'], ['浙江', '浙江'], ['上海市', '上海'], ['广西壮族自治区', '广西'], ['新疆维吾尔自治区', '新疆'],
      ['宁夏回族自治区', '宁夏'], ['内蒙古自治区', '内蒙古'], ['西藏自治区', '西藏'], ['Zhejiang', '浙江'], ['zhejiang province', '浙江'],
      ['Shaanxi', '陕西'], ['Shanxi', '山西'], ['Inner Mongolia', '内蒙古'], ['Tibet', '西藏'], [' 黑龙江省 ', '黑龙江']] as const) {
      assert.deepEqual(mainlandProvince(input), { ok: true, province: short }, input);
    }
  });

  it('refuses addresses outside the mainland and names it no province knows', () => {
    for (const input of ['香港', '香港特别行政区', '澳门', '台湾省', 'Hong Kong', 'Macau', 'Taiwan']) assert.deepEqual(mainlandProvince(input), { ok: false, code: 'outside_mainland' }, input);
    for (const input of ['浙江省杭州市', '浙讧省', 'California', '省', '']) assert.deepEqual(mainlandProvince(input), { ok: false, code: 'unknown_province' }, input);
  });
});
