package store_test

import (
	"testing"

	"payouts/sql/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
