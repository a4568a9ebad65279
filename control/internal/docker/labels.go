package docker

// Label keys that mark a container as a Trafficinator loader. Ownership is decided by these labels
// alone, never by container names: names are for humans reading `docker ps`, and a label filter is
// what lets the control find its loaders again after a restart (DESIGN principle 7), lets several
// controls share one engine, and lets tests clean up exactly what they started.
const (
	// LabelManaged is set to LabelManagedValue on every container this package creates; listing and
	// events only ever look at containers that carry it.
	LabelManaged = "io.trafficinator.managed"
	// LabelScope names the control instance (or test) that owns the container. A Runtime only sees
	// containers of its own scope, so two controls, or parallel tests, never touch each other's
	// loaders.
	LabelScope = "io.trafficinator.scope"
	// LabelRunID is the run the loader belongs to; the control reconciles its runs table against it.
	LabelRunID = "io.trafficinator.run-id"
	// LabelIndex is the loader's position (0, 1, …) within a run that is scaled out over several
	// containers; it decides the loader's share of the run's rate.
	LabelIndex = "io.trafficinator.index"
	// LabelKind says whether the loader drives live load or a backfill (KindLive or KindBackfill).
	LabelKind = "io.trafficinator.kind"
	// LabelLoaders is, on a Swarm service, the number of loaders of its run: its replicas when it
	// was created (a stopped service is scaled to zero, and still has that many loaders to account for).
	LabelLoaders = "io.trafficinator.loaders"
	// LabelState is, on a swarm backfill's state volumes (and its service), the key of the state
	// they hold: the runs that resume one another share it.
	LabelState = "io.trafficinator.state"

	// LabelManagedValue is the value of LabelManaged.
	LabelManagedValue = "true"
)

// Loader kinds, the values of LabelKind and Spec.Kind.
const (
	// KindLive is a loader generating visits in real time (visits per day).
	KindLive = "live"
	// KindBackfill is a loader replaying past days as fast as the target allows.
	KindBackfill = "backfill"
)

// DefaultScope is the scope used when Options.Scope is empty. A production control may keep it;
// tests must not, so that their cleanup cannot remove a real control's loaders.
const DefaultScope = "default"

// reservedLabels are the keys a Spec's extra labels may not set, because ownership and
// reconciliation depend on their values being the ones this package wrote.
var reservedLabels = map[string]bool{
	LabelManaged: true,
	LabelScope:   true,
	LabelRunID:   true,
	LabelIndex:   true,
	LabelKind:    true,
	LabelLoaders: true,
	LabelState:   true,
}

// labelFilter is the "key=value" form Docker's label filters take.
func labelFilter(key, value string) string { return key + "=" + value }
