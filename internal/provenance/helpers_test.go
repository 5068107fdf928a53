package provenance

import (
	"fmt"

	"github.com/provenant/provenant/internal/ghctx"
)

// Context is a short alias used by the error table.
type Context = ghctx.Context

func fmtSscan(s string, i *int) (int, error) { return fmt.Sscan(s, i) }
