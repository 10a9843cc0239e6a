package store_test

import (
	"testing"

	"payouts/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
