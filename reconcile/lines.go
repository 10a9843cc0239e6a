package reconcile

import (
	"sort"
	"time"
)

// Role is what a participant is paid as on a sale.
type Role string

const (
	RoleLead       Role = "lead"
	RoleCoproducer Role = "coproducer"
	RoleAffiliate  Role = "affiliate"
)

// roleRank orders roles the way the outputs list them: lead, coproducer,
// affiliate.
func roleRank(r Role) int {
	switch r {
	case RoleLead:
		return 0
	case RoleCoproducer:
		return 1
	default:
		return 2
	}
}

// LineKind says why a line exists.
type LineKind string

const (
	KindCommission LineKind = "commission" // the allocation of a sale
	KindReversal   LineKind = "reversal"   // a refund or chargeback clawing back
	KindAdjustment LineKind = "adjustment" // a rerun's correction (new - recorded)
)

func kindRank(k LineKind) int {
	switch k {
	case KindCommission:
		return 0
	case KindReversal:
		return 1
	default:
		return 2
	}
}

// Line is one participant's amount on one sale in one role: a payout line.
type Line struct {
	SaleID          string
	ParticipantID   string
	Role            Role
	Kind            LineKind
	ContractID      string // set on coproducer lines only
	ContractVersion int    // set on coproducer lines only
	Amount          int64  // minor units; negative on reversals
	Base            int64  // the amount the rate was applied to (commission), the refunded gross (reversal)
	Rate            Rate   // the rate applied; 0 when none (lead, reversal, adjustment)
}

// LineKey identifies a participant's position on a sale: the unit that is
// paid, reversed and adjusted.
type LineKey struct {
	ParticipantID string
	Role          Role
	ContractID    string
}

// Key returns the line's position key.
func (l Line) Key() LineKey { return LineKey{l.ParticipantID, l.Role, l.ContractID} }

// lessTieOrder is the tie-break order of SPEC 4.3: the lead producer first,
// then ascending participant_id (byte order), then ascending contract_id.
func lessTieOrder(a, b LineKey) bool {
	if (a.Role == RoleLead) != (b.Role == RoleLead) {
		return a.Role == RoleLead
	}
	if a.ParticipantID != b.ParticipantID {
		return a.ParticipantID < b.ParticipantID
	}
	if a.ContractID != b.ContractID {
		return a.ContractID < b.ContractID
	}
	return roleRank(a.Role) < roleRank(b.Role)
}

// LessOutputOrder is the order of rows in a participant file (SPEC 7):
// sale_id, then role (lead, coproducer, affiliate), then contract_id, then
// kind (commission, reversal, adjustment).
func LessOutputOrder(a, b Line) bool {
	if a.SaleID != b.SaleID {
		return a.SaleID < b.SaleID
	}
	if ra, rb := roleRank(a.Role), roleRank(b.Role); ra != rb {
		return ra < rb
	}
	if a.ContractID != b.ContractID {
		return a.ContractID < b.ContractID
	}
	return kindRank(a.Kind) < kindRank(b.Kind)
}

// SortLines sorts lines in output order, participant by participant.
func SortLines(lines []Line) {
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].ParticipantID != lines[j].ParticipantID {
			return lines[i].ParticipantID < lines[j].ParticipantID
		}
		return LessOutputOrder(lines[i], lines[j])
	})
}

// LineRecord is a stored line with the sale facts the outputs show.
type LineRecord struct {
	Line
	ProductID string
	Currency  string
	SoldAt    time.Time
	SettledAt time.Time // zero: not settled
}

// PayoutItem is one payment of a run, with the payee's details as they
// were when the run paid.
type PayoutItem struct {
	RunID         string `db:"run_id"` // the run that issued it
	ParticipantID string `db:"participant_id"`
	Currency      string `db:"currency"`
	Amount        int64  `db:"amount"`
	Reference     string `db:"reference"`
	Name          string `db:"name"`
	PayoutAccount string `db:"payout_account"`
	PayoutBank    string `db:"payout_bank"`
	PixKey        string `db:"pix_key"`   // as registered; empty: paid to the bank data
	TaxID         string `db:"tax_id"`    // the payee's CPF or CNPJ as recorded, may be empty or invalid
	ShortRef      string `db:"short_ref"` // at most 20 characters (CNAB "seu número"); empty for items of runs before it existed
}
