// Tables people download: CSV (UTF-8 with a BOM, so Excel opens Chinese text right) or XLSX,
// with English or Chinese headers. Every cell is text: a mobile number or a tracking number must
// never become a number in scientific notation.
import { stringify } from 'csv-stringify/sync';
import type ExcelJSModule from 'exceljs';

export type TableFormat = 'csv' | 'xlsx';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface TableColumn<K extends string> {
  key: K;
  zh: string;
}

/** exceljs, loaded on the first spreadsheet: it is large, and most processes never write one. */
export async function loadExcel(): Promise<typeof ExcelJSModule> {
  return (await import('exceljs')).default;
}

export function contentTypeOf(format: TableFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE;
}

export async function writeTable<K extends string>(columns: readonly TableColumn<K>[], rows: ReadonlyArray<Record<K, string>>, format: TableFormat, lang: 'en' | 'zh', sheetName: string): Promise<Buffer> {
  const table = [columns.map((c) => (lang === 'zh' ? c.zh : c.key)), ...rows.map((row) => columns.map((c) => row[c.key]))];
  if (format === 'csv') return Buffer.from(`\uFEFF${stringify(table)}`, 'utf8');
  const workbook = new (await loadExcel()).Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const line of table) sheet.addRow(line).eachCell((cell) => { cell.numFmt = '@'; });
  sheet.columns.forEach((column) => { column.width = 16; });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
