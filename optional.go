package familyhub

import "encoding/json"

// Optional is a field of a partial update (a PATCH body): Set says the
// field was present (even as null), Null that it was null, Value holds it
// otherwise. Absent fields keep their stored value; null clears a nullable
// one.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// Some returns an Optional set to v.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: v} }

// UnmarshalJSON implements json.Unmarshaler.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// Ptr returns nil when the field was absent or null, else a pointer to the value.
func (o Optional[T]) Ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	return &o.Value
}
