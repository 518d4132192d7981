import { describe, expect, it } from 'vitest';
import { csvRecords, LabelsCsvError, parseLabelsCsv } from './labelsCsv';

const files = new Set(['a.jpg', 'b.jpg', 'c.png', 'sub/d.webp', 'e.jpg']);
const has = (f: string) => files.has(f);

function problems(text: string): string[] {
  try {
    parseLabelsCsv(text, has);
  } catch (e) {
    expect(e).toBeInstanceOf(LabelsCsvError);
    return (e as LabelsCsvError).problems;
  }
  throw new Error('expected the CSV to be refused');
}

describe('labels CSV', () => {
  it('reads header columns in any order and case, quoted cells, CRLF, a BOM, and unknown groups', () => {
    const text =
      '\ufeffGroup,extra,FILE,Class\r\nfemale,x,a.jpg,Parade\r\nmale,,./b.jpg,"Business, formal"\r\n,,c.png,Parade\r\nunspecified,"multi\nline",sub/d.webp,"Say ""hi"""\n';
    const t = parseLabelsCsv(text, has);
    expect(t.classNames).toEqual(['Parade', 'Business, formal', 'Say "hi"']);
    expect(t.groupNames).toEqual(['female', 'male']);
    expect(t.rows.map((r) => [r.line, r.file, r.className, r.group])).toEqual([
      [2, 'a.jpg', 'Parade', 0],
      [3, 'b.jpg', 'Business, formal', 1],
      [4, 'c.png', 'Parade', -1],
      [5, 'sub/d.webp', 'Say "hi"', -1],
    ]);
  });

  it('numbers records by the line they start on, across quoted line breaks', () => {
    expect(csvRecords('h\n"x\ny"\nz').map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('names every problem with its line number', () => {
    const text = [
      'file,class,group', // 1
      'a.jpg,Parade,male', // 2
      'sub/d.webp,Spa,female', // 3
      'missing.jpg,Parade,female', // 4 unknown file
      'b.jpg,,female', // 5 empty class
      'c.png,Parade', // 6 too few columns
      'a.jpg,Parade,male', // 7 duplicate
      'e.jpg,Spa,robot', // 8 third group
    ].join('\n');
    expect(problems(text)).toEqual([
      'Line 4: “missing.jpg” is not in the chosen folder.',
      'Line 5: the class of “b.jpg” is empty.',
      'Line 6: expected at least 3 columns, found 2.',
      'Line 7: “a.jpg” is already labelled on line 2.',
      'Line 8: a third group “robot” (the file has male and female); the lab compares two groups.',
    ]);
  });

  it('refuses a missing header column, an unclosed quote, an empty file and a single group or class', () => {
    expect(problems('path,class,group\na.jpg,x,m')).toEqual([
      'Line 1: the header must name the columns file, class and group; file is missing (found: path, class, group).',
    ]);
    expect(problems('file,class,group\na.jpg,"Parade,male\n')).toEqual(['Line 2: a quoted cell is never closed.']);
    expect(problems('')[0]).toMatch(/empty/);
    expect(problems('file,class,group\na.jpg,Parade,m\nb.jpg,Spa,m')[0]).toMatch(/only “m”/);
    expect(problems('file,class,group\na.jpg,Parade,m\nb.jpg,Parade,f')[0]).toMatch(/Only one class/);
  });
});
