/**
 * The labels CSV of an image folder: a header naming `file`, `class` and `group` (any order, any
 * case, extra columns ignored), then one row per image. Quoted cells may hold commas, quotes ("")
 * and line breaks. Every problem is reported with its line number, all at once.
 *   file,class,group
 *   photos/0001.jpg,Parade,female
 *   photos/0002.jpg,"Business, formal",
 * An empty group (or unknown / unspecified / -1) means the group is unknown: the image trains the
 * models but is left out of every fairness figure.
 */

export interface LabelRow {
  line: number;
  file: string;
  className: string;
  /** 0 or 1 (groupNames order), −1 unknown. */
  group: number;
}

export interface LabelsTable {
  rows: LabelRow[];
  classNames: string[];
  groupNames: [string, string];
}

export class LabelsCsvError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The labels CSV has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 8).join(' ')}${problems.length > 8 ? ` … and ${problems.length - 8} more.` : ''}`,
    );
    this.name = 'LabelsCsvError';
  }
}

const UNKNOWN_GROUP = new Set(['', 'unknown', 'unspecified', '-1', 'na', 'n/a']);

/** Splits CSV text into records with the line each starts on (RFC 4180 quoting). */
export function csvRecords(text: string): { line: number; cells: string[]; error?: string }[] {
  const out: { line: number; cells: string[]; error?: string }[] = [];
  let line = 1,
    start = 1,
    cell = '',
    cells: string[] = [],
    quoted = false,
    i = 0,
    afterQuote = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM is not part of the header
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0].trim() === '')) out.push({ line: start, cells });
    cells = [];
    cell = '';
    afterQuote = false;
  };
  for (; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '' && !afterQuote) {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      afterQuote = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else if (!afterQuote) {
      cell += ch;
    } else if (ch.trim() !== '') {
      out.push({ line: start, cells: [], error: `Line ${start}: text after a closing quote.` });
    }
  }
  if (quoted) out.push({ line: start, cells: [], error: `Line ${start}: a quoted cell is never closed.` });
  else if (cell !== '' || cells.length > 0) endRecord();
  return out;
}

/**
 * Parses the CSV; `hasFile` says whether a path names a file of the chosen folder (whether it is an
 * image the lab reads is decided when it is decoded: a GIF or SVG is skipped with its reason, not refused).
 * Throws LabelsCsvError listing every problem with its line number.
 */
export function parseLabelsCsv(text: string, hasFile?: (path: string) => boolean): LabelsTable {
  const records = csvRecords(text);
  const problems = records.filter((r) => r.error).map((r) => r.error!);
  const data = records.filter((r) => !r.error);
  if (data.length === 0)
    throw new LabelsCsvError(['The file is empty: it needs a header line (file,class,group) and one line per image.']);
  const header = data[0].cells.map((c) => c.trim().toLowerCase());
  const col = { file: header.indexOf('file'), class: header.indexOf('class'), group: header.indexOf('group') };
  const missing = Object.entries(col)
    .filter(([, i]) => i < 0)
    .map(([k]) => k);
  if (missing.length) {
    throw new LabelsCsvError([
      `Line ${data[0].line}: the header must name the columns file, class and group; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (found: ${data[0].cells.join(', ') || 'nothing'}).`,
    ]);
  }
  const need = Math.max(col.file, col.class, col.group) + 1;
  const rows: LabelRow[] = [];
  const classNames: string[] = [];
  const groupNames: string[] = [];
  const seenFiles = new Map<string, number>();
  for (const r of data.slice(1)) {
    if (r.cells.length < need) {
      problems.push(`Line ${r.line}: expected at least ${need} columns, found ${r.cells.length}.`);
      continue;
    }
    const file = r.cells[col.file].trim().replace(/^\.\//, '');
    const className = r.cells[col.class].trim();
    const groupRaw = r.cells[col.group].trim();
    if (!file) {
      problems.push(`Line ${r.line}: the file is empty.`);
      continue;
    }
    if (!className) {
      problems.push(`Line ${r.line}: the class of “${file}” is empty.`);
      continue;
    }
    if (hasFile && !hasFile(file)) {
      problems.push(`Line ${r.line}: “${file}” is not in the chosen folder.`);
      continue;
    }
    const dup = seenFiles.get(file);
    if (dup !== undefined) {
      problems.push(`Line ${r.line}: “${file}” is already labelled on line ${dup}.`);
      continue;
    }
    seenFiles.set(file, r.line);
    let group = -1;
    if (!UNKNOWN_GROUP.has(groupRaw.toLowerCase())) {
      group = groupNames.indexOf(groupRaw);
      if (group < 0) {
        if (groupNames.length === 2) {
          problems.push(
            `Line ${r.line}: a third group “${groupRaw}” (the file has ${groupNames.join(' and ')}); the lab compares two groups.`,
          );
          continue;
        }
        groupNames.push(groupRaw);
        group = groupNames.length - 1;
      }
    }
    if (!classNames.includes(className)) classNames.push(className);
    rows.push({ line: r.line, file, className, group });
  }
  if (problems.length) throw new LabelsCsvError(problems);
  if (rows.length === 0) throw new LabelsCsvError(['The file has a header but no image lines.']);
  if (classNames.length < 2)
    throw new LabelsCsvError([`Only one class (“${classNames[0]}”): a classifier needs at least two.`]);
  if (groupNames.length < 2)
    throw new LabelsCsvError([
      `The group column names ${groupNames.length === 0 ? 'no group' : `only “${groupNames[0]}”`}: bias is measured between two groups.`,
    ]);
  return { rows, classNames, groupNames: [groupNames[0], groupNames[1]] };
}
