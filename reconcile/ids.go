package reconcile

import "fmt"

// MaxIDLength is the longest id the data contract accepts.
const MaxIDLength = 64

// ValidateID checks an id: 1 to 64 characters of A-Z a-z 0-9 _ -. Ids
// become file names, so nothing else (no "/", "..", spaces or dots) is
// accepted.
func ValidateID(id string) error {
	if id == "" {
		return fmt.Errorf("empty id")
	}
	if len(id) > MaxIDLength {
		return fmt.Errorf("id %s is longer than %d characters", Quote(id), MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			ch, _ := charAt(id, i)
			return fmt.Errorf("id %s has %s; ids are 1-64 characters of A-Z a-z 0-9 _ -", Quote(id), ch)
		}
	}
	return nil
}
