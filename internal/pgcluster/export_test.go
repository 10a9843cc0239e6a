package pgcluster

import "testing"

// What server_test.go (package pgcluster_test) needs of the internals.
const OwnerFile = ownerFile

func ProcessAlive(pid int) bool { return processAlive(pid) }

// StartOwnCluster starts a throwaway cluster besides pgtest.Shared (nil
// when DATABASE_URL is set), stopped when the test ends.
func StartOwnCluster(t *testing.T) *Server { return startOwnCluster(t, defaultStartOptions()) }
