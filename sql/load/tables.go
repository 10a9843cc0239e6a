package load

// column is one column of a load file, with the type it is staged as
// (the real table's type, minus its domain checks, which parse has done).
type column struct {
	name     string
	required bool   // bold in SPEC section 2: the header must have it and no cell may be empty
	typ      string // PostgreSQL type of the staging column
}

// table is one file of the load format and the table it maps to.
type table struct {
	name     string       // the real table
	file     string       // the CSV file name
	cols     []column     // in SPEC order; the staging table has line, ok, then these
	pk       []string     // the real table's primary key, for ON CONFLICT
	validate func(r *row) // the rules of one row on its own (rows.go)
	pos      map[string]int
}

// stage is the TEMP table a file is copied into.
func (t *table) stage() string { return "load_" + t.name }

func req(name, typ string) column { return column{name, true, typ} }
func opt(name, typ string) column { return column{name, false, typ} }

// tables lists the files in dependency order: a table only references
// tables before it. Errors are sorted in this order, and upserts run in it.
var tables = []*table{
	{name: "participants", pk: []string{"participant_id"}, validate: validateParticipant, cols: []column{
		req("participant_id", "text"), req("name", "text"), opt("email", "text"),
		opt("tax_id", "text"), opt("payout_account", "text"), opt("payout_bank", "text"),
		opt("pix_key", "text"),
	}},
	{name: "products", pk: []string{"product_id"}, validate: validateProduct, cols: []column{
		req("product_id", "text"), req("name", "text"), req("lead_producer_id", "text"),
	}},
	{name: "contract_terms", pk: []string{"contract_id", "version"}, validate: validateContractTerm, cols: []column{
		req("contract_id", "text"), req("product_id", "text"), req("coproducer_id", "text"),
		req("version", "integer"), req("status", "text"), opt("rate_percent", "numeric"),
		opt("scope", "text"), opt("managed_only", "boolean"), opt("may_affiliate", "boolean"),
		opt("ends_at", "timestamptz"), opt("proposed_at", "timestamptz"), opt("accepted_at", "timestamptz"),
	}},
	{name: "affiliations", pk: []string{"product_id", "affiliate_id"}, validate: validateAffiliation, cols: []column{
		req("product_id", "text"), req("affiliate_id", "text"), opt("manager_id", "text"),
	}},
	{name: "sales", pk: []string{"sale_id"}, validate: validateSale, cols: []column{
		req("sale_id", "text"), req("product_id", "text"), req("currency", "text"),
		req("gross", "numeric"), req("platform_fee", "numeric"), opt("affiliate_id", "text"),
		opt("affiliate_rate_percent", "numeric"), opt("buyer_tax_id", "text"),
		req("sold_at", "timestamptz"), opt("settled_at", "timestamptz"),
	}},
	{name: "sale_events", pk: []string{"event_id"}, validate: validateSaleEvent, cols: []column{
		req("event_id", "text"), req("sale_id", "text"), req("kind", "text"),
		opt("amount", "numeric"), req("occurred_at", "timestamptz"),
	}},
	{name: "tax_records", pk: []string{"invoice_id"}, validate: validateTaxRecord, cols: []column{
		req("invoice_id", "text"), req("issuer_tax_id", "text"), opt("sale_id", "text"),
		req("issued_at", "timestamptz"), req("amount", "numeric"), req("currency", "text"),
		req("status", "text"), opt("buyer_tax_id", "text"),
	}},
}

var byName = map[string]*table{}

func init() {
	for _, t := range tables {
		t.file = t.name + ".csv"
		t.pos = map[string]int{}
		for i, c := range t.cols {
			t.pos[c.name] = i
		}
		byName[t.name] = t
	}
}

// columnNames lists t's columns for messages and SQL.
func (t *table) columnNames() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.name
	}
	return out
}
