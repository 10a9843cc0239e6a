package main

// The platform zone (PAYOUTS_TZ) must resolve on a minimal image without a
// zoneinfo database too, so the binary carries its own.
import _ "time/tzdata"
