package provider

import (
	"testing"
)

// FuzzImportID: parsing an import ID never panics, and whatever it accepts reads back as the same ID, with
// both ids UUIDs.
func FuzzImportID(f *testing.F) {
	for _, s := range []string{
		"rule-promotions/4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c/9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19",
		"promotions/4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c/9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19",
		"promotions/../x", "", "/", "a/b/c/d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		ref, job, err := parseImportID(id)
		if err != nil {
			return
		}
		if back := string(ref.API) + "/" + ref.ID + "/" + job; back != id {
			t.Fatalf("%q parsed as %q", id, back)
		}
		if !elasticPathID.MatchString(ref.ID) || !elasticPathID.MatchString(job) {
			t.Fatalf("%q accepted with ids that are not UUIDs", id)
		}
	})
}
