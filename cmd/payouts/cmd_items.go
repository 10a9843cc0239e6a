package main

import (
	"context"
)

func cmdItems(ctx context.Context, e *environment, args []string) error {
	return usageError{"items: not yet"}
}
