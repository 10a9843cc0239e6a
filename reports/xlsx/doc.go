// Package xlsx writes the workbooks of payouts (the finance workbook,
// participant statements, the tax report) on top of excelize: it is the
// only package of payouts that writes with excelize (sql/load reads XLSX
// with it; tests read with it).
//
// A Book (New, Options) has sheets written cell by cell (SetCells) and
// tables streamed row by row (NewTable, Table.Add) that continue on a new
// sheet past Options.MaxRows, with totals rows of live SUMIF formulas per
// currency. Cells are typed and built by the book, which creates the
// styles they need on first use: Text (text of the data: never a formula,
// text format), String (our own text, in a style), Money (minor units and
// a currency code: a number with the currency's digits and code), Count,
// Int, Rate, Date, DateTime, Formula. Save writes the book to an
// io.Writer; reports publishes it atomically.
//
// The bytes of a book depend only on what it is given: styles are
// numbered in the order the data asks for them, the document's dates are
// Properties.Stamp (never the clock), and the archive is packed again
// wherever excelize's own would vary (Save).
//
// # Workarounds of excelize
//
// Each is pinned by a test in excelize_test.go that shows plain excelize
// still behaving so and fails, saying what can be deleted, when it does
// not. Versions and places are those of excelize v2.11.0 (go.mod).
//
//   - W1: the parts of streamed sheets are written in map order:
//     file.go, (*File).writeToZip ranges over the map File.streams. Every
//     table is a streamed sheet, so the same book would give archives with
//     its sheets in varying order. Workaround: Save packs the archive
//     again, entries in name order (zip.go, saveXLSX and repackZip).
//     Pinned by TestExcelizeWritesStreamedSheetsInMapOrder.
//   - W2: a drawing's content types list the image extensions in map
//     order: workbook.go, (*File).setContentTypePartImageExtensions ranges
//     over a map literal, called for "drawings" when AddChart adds a
//     drawing. Workaround: canonicalContentTypes (zip.go) sorts those
//     <Default> elements when the archive is packed again. Pinned by
//     TestExcelizeListsImageTypesInMapOrder.
//   - W3a: a StreamWriter keeps its sheet in memory, in a bytes.Buffer
//     spilled to a temporary file only past StreamChunkSize, 16 MiB
//     (stream.go, bufferedWriter.Sync; templates.go), and every streamed
//     sheet stays there after its Flush until (*File).Close (file.go): the
//     lists of a run of a million sales held 110 MiB. Pinned by
//     TestExcelizeStreamWriterKeepsSheetsInMemory.
//   - W3b: (*File).Write and WriteTo build the whole archive in a
//     bytes.Buffer (file.go, WriteToBuffer) before writing any of it.
//     Pinned by TestExcelizeBuildsTheArchiveInMemory.
//     Workaround of W3a and W3b: a table streams Options.ChunkRows rows at
//     a time into a scratch workbook, whose sheet part is taken out
//     uncompressed (zip.go, extractPart, through File.SetZipWriter) and
//     appended to the sheet's part (in memory up to 4 MiB, then in a
//     temporary file: spillBuffer); the main workbook holds empty sheets,
//     and Save puts the assembled parts in their place as it packs the
//     archive again (table.go, Table; zip.go). Only the small main archive
//     is built in memory. It can go when both are fixed.
//   - W4: formulas are written without their results: cell.go,
//     SetCellFormula, and stream.go, setCellFormula, write the <f>
//     element only. Workaround: Options.RecalcOnOpen sets fullCalcOnLoad,
//     so that applications compute them on opening. Pinned by
//     TestExcelizeWritesFormulasWithoutResults.
//
// # What it relies on
//
//   - R1: excelize's archive of a workbook without streamed sheets or
//     charts is the same for the same workbook: its entries carry no time
//     (archive/zip's Writer.Create, called by (*File).writeToZip, leaves
//     the DOS date and time at 0) and its other parts are written sorted
//     by name (descending). Save writes such a book (the tax report) as
//     excelize writes it. Pinned by TestExcelizeArchiveIsFixedWithoutStreams.
//     Stamping our packed archives' entries with Properties.Stamp is a
//     choice, not a workaround.
//   - R2: the part of the sheet with id n is xl/worksheets/sheet<n>.xml
//     (table.go, sheetPath); R3: a streamed part holds <sheetData> and
//     </sheetData> once each (table.go, finishChunk). If either changed,
//     Save or Table would return an error and every workbook test fails.
package xlsx
