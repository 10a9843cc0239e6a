package main

import (
	"context"
	"fmt"
	"strings"
)

func cmdMigrate(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "migrate", "migrate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "schema is up to date")
		return nil
	}
	fmt.Fprintf(e.stdout, "applied %s\n", strings.Join(applied, ", "))
	return nil
}
