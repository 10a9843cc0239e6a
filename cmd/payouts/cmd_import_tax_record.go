package main

import (
	"context"
	"fmt"

	"payouts/reconcile"
	"payouts/sql/load"
)

func cmdImportTaxRecord(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "import-tax-record", "import-tax-record FILE\n\n"+
		"Loads tax records (the lead producers' invoices) from FILE: CSV (.csv) or the\n"+
		"first sheet of an XLSX workbook (.xlsx), header row, the columns of\n"+
		"tax_records.csv: invoice_id, issuer_tax_id, sale_id, issued_at, amount,\n"+
		"currency, status, buyer_tax_id. In XLSX, timestamps are text in RFC 3339 with\n"+
		"an offset, amounts numbers or text. One bad row fails the whole file\n"+
		"(FILE:ROW: reason) and nothing is written; rows are upserted by invoice_id,\n"+
		"so importing the same file again changes nothing.")
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"import-tax-record: exactly one file expected (payouts import-tax-record FILE)"}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := load.TaxRecords(ctx, st.DB, fs.Arg(0), e.progress)
	if err := loadFailure(e, "import-tax-record "+fs.Arg(0), err); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s, %d new, %d changed\n", res.Name, reconcile.Plural(int64(res.Rows), "row", ""), res.Inserted, res.Updated)
	return nil
}
