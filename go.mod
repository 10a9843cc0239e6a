module payouts

go 1.26.8

require (
	github.com/jmoiron/sqlx v1.4.0
	github.com/lib/pq v1.12.3
	golang.org/x/text v0.38.0
	pgregory.net/rapid v1.3.0
)
