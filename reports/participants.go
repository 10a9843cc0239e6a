package reports

import (
	"fmt"
	"strconv"
	"time"

	"payouts/reconcile"
)

// ParticipantHeader is the column order of participants/<id>.csv (SPEC 7).
var ParticipantHeader = []string{"run_id", "participant_id", "role", "kind", "sale_id", "product_id", "currency",
	"amount", "base", "rate_percent", "contract_id", "contract_version", "sold_at", "settled_at"}

// ParticipantFiles writes participants/<participant_id>.csv from a stream
// of lines sorted by participant (then in file order): one file is open at
// a time, whatever the number of participants.
type ParticipantFiles struct {
	dir    *RunDir
	runID  string
	loc    *time.Location
	cur    string
	file   *atomicFile
	csv    *csvWriter
	totals map[string]int64
	currs  map[string]reconcile.Currency
}

// NewParticipantFiles starts the participant files of run runID;
// timestamps are written in loc (the platform zone the run used).
func (d *RunDir) NewParticipantFiles(runID string, loc *time.Location) *ParticipantFiles {
	return &ParticipantFiles{dir: d, runID: runID, loc: loc, currs: map[string]reconcile.Currency{}}
}

// Add writes one line. Lines must come grouped by participant.
func (p *ParticipantFiles) Add(l reconcile.LineRecord) error {
	if l.ParticipantID != p.cur {
		if err := p.closeCurrent(); err != nil {
			return err
		}
		if err := reconcile.ValidateID(l.ParticipantID); err != nil {
			return fmt.Errorf("participant file: %w", err) // ids become file names
		}
		f, err := p.dir.create("participants/" + l.ParticipantID + ".csv")
		if err != nil {
			return err
		}
		c, err := newCSV(f, ParticipantHeader)
		if err != nil {
			f.Abort()
			return err
		}
		p.cur, p.file, p.csv, p.totals = l.ParticipantID, f, c, map[string]int64{}
	}
	cur, err := p.currency(l.Currency)
	if err != nil {
		return fmt.Errorf("participant %s, sale %s: %w", l.ParticipantID, l.SaleID, err)
	}
	p.totals[l.Currency] += l.Amount
	rate, version, base, settled := "", "", "", ""
	if l.Rate != 0 {
		rate = l.Rate.String()
	}
	if l.ContractID != "" {
		version = strconv.Itoa(l.ContractVersion)
	}
	if l.Kind != reconcile.KindAdjustment {
		base = reconcile.FormatAmount(l.Base, cur)
	}
	if !l.SettledAt.IsZero() {
		settled = l.SettledAt.In(p.loc).Format(time.RFC3339Nano)
	}
	return p.csv.row(SafeText(p.runID), SafeText(l.ParticipantID), string(l.Role), string(l.Kind), SafeText(l.SaleID),
		SafeText(l.ProductID), l.Currency, reconcile.FormatAmount(l.Amount, cur), base, rate, SafeText(l.ContractID),
		version, l.SoldAt.In(p.loc).Format(time.RFC3339Nano), settled)
}

func (p *ParticipantFiles) currency(code string) (reconcile.Currency, error) {
	if c, ok := p.currs[code]; ok {
		return c, nil
	}
	c, err := reconcile.LookupCurrency(code)
	if err == nil {
		p.currs[code] = c
	}
	return c, err
}

func (p *ParticipantFiles) closeCurrent() error {
	if p.file == nil {
		return nil
	}
	f, c := p.file, p.csv
	p.file, p.csv = nil, nil
	if err := c.flush(); err != nil {
		f.Abort()
		return err
	}
	totals := map[string]string{}
	for code, v := range p.totals {
		totals[code] = reconcile.FormatAmount(v, p.currs[code])
	}
	return p.dir.commit(f, "participants/"+p.cur+".csv", KindParticipantLines, c.rows, totals)
}

// Close publishes the last participant's file.
func (p *ParticipantFiles) Close() error { return p.closeCurrent() }
