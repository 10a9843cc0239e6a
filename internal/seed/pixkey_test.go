package seed

import (
	"testing"

	"payouts/reconcile"
)

// TestSeededPixKeys: a good share of seeded payees have a PIX key, and
// every key is valid (the seed makes no INVALID_PAYOUT_ACCOUNT).
func TestSeededPixKeys(t *testing.T) {
	t.Parallel()
	types := map[reconcile.PixKeyType]int{}
	for i := 0; i < 5000; i++ {
		p := makeParticipant(42, i)
		if p.pixKey == "" {
			continue
		}
		k, err := reconcile.ParsePixKey(p.pixKey)
		if err != nil {
			t.Fatalf("participant %d: %v", i, err)
		}
		types[k.Type]++
	}
	if types[reconcile.PixTaxID] < 500 || types[reconcile.PixPhone] < 500 || types[reconcile.PixRandom] < 500 {
		t.Errorf("seeded keys by type: %v", types)
	}
}
