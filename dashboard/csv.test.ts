// RFC 4180 output of the CSV export, and the formula-injection guard (OWASP "CSV injection").
import { describe, expect, it } from 'vitest'
import { flatTable, tableOf, toCsv } from './csv.ts'

describe('toCsv', () => {
  it('quotes fields with commas, quotes and line breaks; CRLF line ends; empty for null', () => {
    const csv = toCsv({ columns: ['a', 'b', 'c'], rows: [['x,y', 'say "hi"', 'two\nlines'], [null, undefined, 1.5]] })
    expect(csv).toBe('a,b,c\r\n"x,y","say ""hi""","two\nlines"\r\n,,1.5\r\n')
  })

  it('text a spreadsheet would run as a formula gets an apostrophe; negative numbers stay numbers', () => {
    expect(toCsv({ columns: ['v'], rows: [['=HYPERLINK("x")'], ['@SUM(A1)'], [-3]] })).toBe('v\r\n"\'=HYPERLINK(""x"")"\r\n\'@SUM(A1)\r\n-3\r\n')
  })

  it('tables from objects by dotted paths, and any JSON as figure,value rows', () => {
    expect(tableOf([{ id: 'C1', t: { mean: 500 } }], ['id', 't.mean', 'missing']).rows).toEqual([['C1', 500, undefined]])
    expect(flatTable({ a: { b: 1, c: [{ d: 'x' }] } }).rows).toEqual([['a.b', 1], ['a.c.0.d', 'x']])
  })
})
