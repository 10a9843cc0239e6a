package jobs

import (
	"os"
	"testing"

	"payouts/internal/storetest"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(m.Run()) // a crash-test child: the parent's database, no server of its own
	}
	storetest.Main(m)
}
