package matomo

import (
	"bytes"
	"fmt"
	"strconv"
)

// flexInt decodes a number Matomo may send as a JSON number, a numeric string, a boolean, "" or
// null (the Reporting API renders most database values as strings).
type flexInt int64

// UnmarshalJSON accepts every form above; "" and null are 0.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")), bytes.Equal(b, []byte(`""`)), bytes.Equal(b, []byte("false")):
		*f = 0
		return nil
	case bytes.Equal(b, []byte("true")):
		*f = 1
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	if v, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*f = flexInt(v)
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("matomo: %q is not a number", b)
	}
	*f = flexInt(v)
	return nil
}
