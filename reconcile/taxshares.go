package reconcile

import "sort"

// TaxShares is what each participant invoices for a sale under the
// partnership model: the sum of its lines of the sale's allocation, with
// its tax id (taxIDs; "" when it has none), in participant order.
func TaxShares(lines []Line, taxIDs map[string]string) []TaxShare {
	var out []TaxShare
	at := map[string]int{}
	for _, l := range lines {
		i, ok := at[l.ParticipantID]
		if !ok {
			i = len(out)
			at[l.ParticipantID] = i
			out = append(out, TaxShare{ParticipantID: l.ParticipantID, TaxID: taxIDs[l.ParticipantID]})
		}
		out[i].Amount += l.Amount
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ParticipantID < out[j].ParticipantID })
	return out
}
