// The shipping sheet: one format for the export of orders to ship and the import of tracking
// numbers, as CSV (UTF-8 with a BOM, so Excel opens Chinese text right) or XLSX. Headers may be
// English or Chinese; an import accepts either. No I/O: bytes in, rows out.
import { parse } from 'csv-parse/sync';
import { loadExcel, writeTable, XLSX_TYPE, type TableFormat } from '../platform/tables.ts';

export const SHEET_COLUMNS = [
  { key: 'orderId', zh: '订单号' },
  { key: 'eventId', zh: '活动' },
  { key: 'skuCode', zh: 'SKU编码' },
  { key: 'productTitle', zh: '商品' },
  { key: 'quantity', zh: '数量' },
  { key: 'name', zh: '收货人' },
  { key: 'mobile', zh: '手机号' },
  { key: 'province', zh: '省' },
  { key: 'city', zh: '市' },
  { key: 'district', zh: '区县' },
  { key: 'detail', zh: '详细地址' },
  { key: 'carrier', zh: '快递公司' },
  { key: 'trackingNo', zh: '快递单号' },
] as const;

export type SheetKey = (typeof SHEET_COLUMNS)[number]['key'];
export type SheetRow = Record<SheetKey, string>;
export type SheetFormat = TableFormat;
export { XLSX_TYPE };

const keyOfHeader = new Map<string, SheetKey>(SHEET_COLUMNS.flatMap((c) => [[c.key.toLowerCase(), c.key], [c.zh, c.key]] as Array<[string, SheetKey]>));

export async function writeSheet(rows: SheetRow[], format: SheetFormat, lang: 'en' | 'zh'): Promise<Buffer> {
  return writeTable(SHEET_COLUMNS, rows, format, lang, lang === 'zh' ? '待发货' : 'To ship');
}

export interface ReadLine {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  values: Partial<Record<SheetKey, string>>;
}

export type ReadResult = { ok: true; lines: ReadLine[] } | { ok: false; message: string };

function toLines(table: string[][], maxLines: number): ReadResult {
  const [header, ...body] = table;
  if (!header) return { ok: false, message: 'The file is empty.' };
  const keys = header.map((h) => keyOfHeader.get(h.replace(/^\uFEFF/, '').trim().toLowerCase()) ?? keyOfHeader.get(h.trim()));
  for (const required of ['orderId', 'carrier', 'trackingNo'] as const) {
    if (!keys.includes(required)) return { ok: false, message: `The header has no ${required} column (the export's header works as it is).` };
  }
  if (body.length > maxLines) return { ok: false, message: `At most ${maxLines} lines per file; split it.` };
  const lines: ReadLine[] = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    const values: Partial<Record<SheetKey, string>> = {};
    keys.forEach((key, col) => { if (key) values[key] = (cells[col] ?? '').trim(); });
    lines.push({ line: i + 2, values });
  });
  return { ok: true, lines };
}

export async function readSheet(bytes: Buffer, format: SheetFormat, maxLines: number): Promise<ReadResult> {
  if (format === 'csv') {
    let table: string[][];
    try {
      table = parse(bytes.toString('utf8'), { bom: true, relax_column_count: true, skip_empty_lines: true, to_line: maxLines + 2 }) as string[][];
    } catch (error) {
      return { ok: false, message: `Not a readable CSV file: ${(error as Error).message.slice(0, 200)}` };
    }
    return toLines(table, maxLines);
  }
  const workbook = new (await loadExcel()).Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return { ok: false, message: 'Not a readable XLSX file.' };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { ok: false, message: 'The workbook has no sheet.' };
  if (sheet.rowCount > maxLines + 1) return { ok: false, message: `At most ${maxLines} lines per file; split it.` };
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    const cells: string[] = [];
    for (let col = 1; col <= row.cellCount; col++) cells.push(row.getCell(col).text ?? '');
    table.push(cells);
  });
  return toLines(table, maxLines);
}
