package reconcile_test

// Regression tests: each is the minimal reproducer of a production bug
// the differential, property and fuzz tests of this package found, kept
// now that the bug is fixed. (Test names still say "Bug".)

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"payouts/reconcile"
)

// TestBugPartialRefundWritesPositiveReversal: SPEC 5 says reversal lines
// are negative ("each part is negated"), but the cumulative rule of
// ApplyEvent recomputes every position's target from the cumulative
// refund, and the largest-remainder split is not monotone in its total
// (the Alabama paradox): a larger reversed total can give a position a
// smaller part. The position is then "reversed" upwards, i.e. paid back
// part of what an earlier refund clawed, on a refund.
//
// SPEC 11's sale s12 (100.00 BRL, fee 10.40, affiliate 35%, co-producer
// 10%: lead 52.42, aff1 31.36, cop1 5.82), refunded 0.08 and then 0.01:
// after 0.08 the reversed total is 0.07 (lead -0.04, aff1 -0.02, cop1
// -0.01); after 0.09 it is 0.08, split lead 0.05, aff1 0.03, cop1 0.00, so
// the second refund writes lead -0.01, aff1 -0.01 and cop1 +0.01.
// The differential test sees 29 such lines in its 100,000 sales.
func TestBugPartialRefundWritesPositiveReversal(t *testing.T) {
	t.Parallel()
	brl, _ := reconcile.LookupCurrency("BRL")
	terms := []reconcile.ContractTerm{{ContractID: "c1", ProductID: "p1", CoproducerID: "cop1", Version: 1,
		Status: reconcile.TermAccepted, Rate: 100_000, Scope: reconcile.ScopeAll, AcceptedAt: time.Date(2026, 1, 10, 17, 0, 0, 0, time.UTC)}}
	s := reconcile.Sale{SaleID: "s12", ProductID: "p1", LeadID: "lead1", Currency: brl, Gross: 10000, PlatformFee: 1040,
		AffiliateID: "aff1", AffiliateRate: 350_000, SoldAt: time.Date(2026, 2, 2, 13, 0, 0, 0, time.UTC)}
	a := reconcile.Allocate(s, terms, reconcile.DefaultPolicy)
	l := reconcile.SaleLedger{SaleID: "s12", Gross: s.Gross}
	for _, ln := range a.Lines {
		l.Positions = append(l.Positions, reconcile.Position{Key: ln.Key(), ContractVersion: ln.ContractVersion, Entitled: ln.Amount})
	}
	l, _ = reconcile.ApplyEvent(l, reconcile.Event{EventID: "e1", SaleID: "s12", Kind: reconcile.EventRefund, Amount: 8})
	_, lines := reconcile.ApplyEvent(l, reconcile.Event{EventID: "e2", SaleID: "s12", Kind: reconcile.EventRefund, Amount: 1})
	var sum int64
	for _, ln := range lines {
		sum += ln.Amount
		if ln.Amount > 0 {
			// actual today: cop1 +0.01 (lead -0.01, aff1 -0.01)
			t.Errorf("refund e2 writes a positive reversal line: %s %s %s", ln.ParticipantID, ln.Role, reconcile.FormatAmount(ln.Amount, brl))
		}
	}
	if sum != -1 {
		t.Errorf("refund e2 reverses %d in total, want -1 (0.08 - 0.07)", sum)
	}
}

// TestBugParseTimestampAcceptsNonRFC3339: ParseTimestamp falls back on
// time.Parse's lenient parser, which takes a one-digit hour and a comma
// before the fraction. Neither is RFC 3339 (SPEC 2), and both shift or
// hide the "." the microsecond check looks for at s[19:], so
// sub-microsecond instants get in (PostgreSQL then rounds them, so the
// stored instant differs from the one the worker compared with
// acceptances and windows). The canonical form FormatTimestamp writes for
// them is then refused by ParseTimestamp. An offset of +24:00 (RFC 3339
// hours are 00-23) gets in the same way.
func TestBugParseTimestampAcceptsNonRFC3339(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"2026-03-03T10:00:00,1234567Z",     // accepted today as 10:00:00.1234567 UTC
		"2026-03-03T1:00:00.1234567+00:00", // accepted today as 01:00:00.1234567 UTC
		"2026-03-03T10:00:00,5Z",           // accepted today as 10:00:00.5 UTC
		"2026-03-03T9:00:00-03:00",         // accepted today as 12:00:00 UTC
		"2026-03-03T10:00:00+24:00",        // accepted today as 2026-03-02T10:00:00Z
		"0000-01-01T0:00:00,0Z",            // the fuzzer's first find
	} {
		if v, err := reconcile.ParseTimestamp(s); err == nil {
			t.Errorf("ParseTimestamp(%q) = %s, want an error (not RFC 3339)", s, reconcile.FormatTimestamp(v))
		}
	}
}

// TestBugParseTimestampCanonicalFormDoesNotParseBack: a timestamp in year
// 0000 or 9999 whose offset moves it to year -1 or 10000 in UTC is
// accepted, but its canonical text (FormatTimestamp, used in every
// output) is not a timestamp ParseTimestamp accepts, so an exported
// sold_at could not be loaded back.
func TestBugParseTimestampCanonicalFormDoesNotParseBack(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-00:01"} {
		v, err := reconcile.ParseTimestamp(s)
		if err != nil {
			continue // refusing it is a fix too
		}
		out := reconcile.FormatTimestamp(v) // today: "-0001-12-31T23:00:00Z" and "10000-01-01T00:00:59Z"
		if back, err := reconcile.ParseTimestamp(out); err != nil || !back.Equal(v) {
			t.Errorf("ParseTimestamp(%q) accepted, but its canonical form %q gives %v", s, out, err)
		}
	}
}

// TestBugSplitLargestRemainderWeightSumOverflow: the weights' sum is
// accumulated in a uint64, so weights adding up to more than 2^64 wrap
// around; the quotients then exceed the base and the function panics with
// "slice bounds out of range [:-10]" instead of splitting (or refusing
// with a clear message). Not reachable from Allocate or ApplyEvent today
// (their weights are rates and entitlements, whose sums stay far below
// 2^63), so it matters only to future callers; the comment "no amount or
// rate that fits an int64 can overflow" promises more than the code does.
func TestBugSplitLargestRemainderWeightSumOverflow(t *testing.T) {
	t.Parallel()
	weights := []int64{math.MaxInt64, math.MaxInt64, math.MaxInt64}
	var parts []int64
	func() {
		defer func() {
			if r := recover(); r != nil {
				if !strings.Contains(fmt.Sprint(r), "weight") {
					t.Errorf("SplitLargestRemainder(5, 3 x MaxInt64) panics with %v", r)
				}
			}
		}()
		parts = reconcile.SplitLargestRemainder(5, weights)
	}()
	if parts != nil {
		ppCheckSplit(t, 5, weights, parts) // want 2, 2, 1
	}
}
