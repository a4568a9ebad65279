// Package visit is the visit model: what one simulated visitor does in one visit, as an ordered list
// of Matomo hits with simulated time offsets and real pauses.
//
// A visit is a pure function of the model's configuration, its catalogue, the run's seed and the
// visit's sequence number: no state is shared between visits, so visits can be built concurrently and
// in any order, by any shard of a run, and the same seed always yields the same visitors, pages,
// actions and orders. Returning visitors follow from that too: visit n may be made by the visitor of
// an earlier visit m, found again by recomputing visit m's identity.
package visit
