/**
 * CSV of what a table shows, built in the browser and saved as a file: the cells as the page formats them,
 * one header row, RFC 4180 quoting. A cell starting with = + - @ is prefixed with ' so a spreadsheet does not
 * run it as a formula (CSV injection).
 */
export type CsvCell = string | number | null | undefined;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** Saves the CSV through a Blob URL and a temporary link (nothing leaves the browser). */
export function downloadCsv(filename: string, header: string[], rows: CsvCell[][]): void {
  const blob = new Blob([toCsv(header, rows)], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function CsvButton({ filename, header, rows, label = "Download CSV" }: { filename: string; header: string[]; rows: () => CsvCell[][]; label?: string }) {
  return (
    <button type="button" className="button button-quiet" onClick={() => downloadCsv(filename, header, rows())}>
      {label}
    </button>
  );
}
