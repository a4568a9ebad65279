// Package catalog holds the loader's realism data — user agents with screen sizes,
// countries with browser languages and IPv4 blocks, referrers, search terms, outlinks,
// downloads and products — embedded in the binary, and composes it with the user's
// content files (URL list, events, funnels) into one Catalog that the visit model draws
// from.
//
// Every draw takes the caller's *rand.Rand, so a run seeded the same way produces the
// same visits. The hot paths (Site.Entry, Site.Next) do not allocate.
package catalog
