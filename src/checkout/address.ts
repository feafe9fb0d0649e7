// Mainland China shipping addresses: which provincial-level division an address is in, so a typo
// or an address outside the mainland is refused with a clear message. Pure: no I/O.

/** The 31 mainland provincial-level divisions: short Chinese name, then the pinyin/English names accepted. */
const PROVINCES: ReadonlyArray<readonly [string, ...string[]]> = [
  ['北京', 'beijing'], ['天津', 'tianjin'], ['上海', 'shanghai'], ['重庆', 'chongqing'],
  ['河北', 'hebei'], ['山西', 'shanxi'], ['辽宁', 'liaoning'], ['吉林', 'jilin'], ['黑龙江', 'heilongjiang'],
  ['江苏', 'jiangsu'], ['浙江', 'zhejiang'], ['安徽', 'anhui'], ['福建', 'fujian'], ['江西', 'jiangxi'], ['山东', 'shandong'],
  ['河南', 'henan'], ['湖北', 'hubei'], ['湖南', 'hunan'], ['广东', 'guangdong'], ['海南', 'hainan'],
  ['四川', 'sichuan'], ['贵州', 'guizhou'], ['云南', 'yunnan'], ['陕西', 'shaanxi'], ['甘肃', 'gansu'], ['青海', 'qinghai'],
  ['内蒙古', 'inner mongolia', 'neimenggu', 'nei mongol'], ['广西', 'guangxi'], ['西藏', 'tibet', 'xizang'], ['宁夏', 'ningxia'], ['新疆', 'xinjiang'],
];
/** Full-name endings after the short name: 省, 市, 自治区 with its people's name. */
const SUFFIX = /^(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?$/;
const OUTSIDE = /^(香港|澳门|台湾|hong ?kong|macau|macao|taiwan)/i;

export type ProvinceCheck = { ok: true; province: string } | { ok: false; code: 'outside_mainland' | 'unknown_province' };

/** The short name of the division an address's province field names, or why it names none. */
export function mainlandProvince(raw: string): ProvinceCheck {
  const text = raw.normalize('NFKC').trim();
  if (OUTSIDE.test(text)) return { ok: false, code: 'outside_mainland' };
  const latin = text.toLowerCase().replace(/\s+(province|city|municipality|autonomous region|sar)$/u, '').trim();
  for (const [zh, ...others] of PROVINCES) {
    if (text.startsWith(zh) && SUFFIX.test(text.slice(zh.length))) return { ok: true, province: zh };
    if (others.includes(latin)) return { ok: true, province: zh };
  }
  return { ok: false, code: 'unknown_province' };
}
