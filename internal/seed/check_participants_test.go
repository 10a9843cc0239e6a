package seed

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

type participantRow struct {
	ID      string         `db:"participant_id"`
	Name    string         `db:"name"`
	Email   sql.NullString `db:"email"`
	TaxID   sql.NullString `db:"tax_id"`
	Account sql.NullString `db:"payout_account"`
}

// checkParticipants returns the normalized tax ids of the participants.
func checkParticipants(t *testing.T, db *sqlx.DB, f map[string]int) map[string]bool {
	var rows []participantRow
	if err := db.Select(&rows, `SELECT participant_id, name, email, tax_id, payout_account FROM participants`); err != nil {
		t.Fatal(err)
	}
	taxIDs := map[string]bool{}
	invalid, hostile, noAccount := 0, 0, 0
	for _, p := range rows {
		mustID(t, "participant_id", p.ID)
		if p.Name == "" {
			t.Errorf("%s: empty name", p.ID)
		}
		if strings.ContainsAny(p.Name[:1], "=+-@\t") || strings.ContainsAny(p.Name, `,"`) {
			hostile++
		}
		if !validTaxID(p.TaxID.String) {
			invalid++
		}
		taxIDs[digitsOnly(p.TaxID.String)] = true
		if !p.Account.Valid {
			noAccount++
		}
	}
	if invalid != f["participant_invalid_tax_id"] || invalid == 0 {
		t.Errorf("%d participants with invalid tax ids, want %d (> 0)", invalid, f["participant_invalid_tax_id"])
	}
	if noAccount == 0 || noAccount > len(rows)/20 {
		t.Errorf("%d of %d participants without payout account, want about 2%%", noAccount, len(rows))
	}
	if hostile < 3 {
		t.Errorf("%d participants with names a spreadsheet reads as formulas or that need quoting, want a few", hostile)
	}
	// Someone without a payout account earns: a co-producer on a product
	// with sales.
	if n := count(t, db, `SELECT count(*) FROM contract_terms c JOIN participants p ON p.participant_id = c.coproducer_id
		WHERE p.payout_account IS NULL AND c.status = 'accepted'`); n == 0 {
		t.Error("no participant without payout account has a contract")
	}
	return taxIDs
}
