package config

import (
	"strconv"
	"unicode/utf8"
)

// MaxNameChars is the most characters in a name: a target's, and that of everything the control
// keeps by name (configs, presets, URL and event sets, runs).
const MaxNameChars = 100

// The weight of a target in weighted mode: its share of the visits is its weight over the sum of
// the enabled targets' weights.
const (
	MinTargetWeight     = 1
	MaxTargetWeight     = 100
	DefaultTargetWeight = 1
)

// LegacyTargetName is the name of the one target that MATOMO_URL, MATOMO_SITE_ID and
// MATOMO_TOKEN_AUTH describe; stats report it under this name.
const LegacyTargetName = "default"

// minSiteID is the lowest Matomo site ID (idsite).
const minSiteID = 1

// defaultTargetEnabled is whether a target given without "enabled" receives visits.
const defaultTargetEnabled = true

// TargetFields returns the schema of one MATOMO_TARGETS entry: its keys in form order, with type,
// limits and default. Validate applies these limits, ParseTargets these defaults, and the UI's
// target rows and docs/configuration.md are drawn from the same list.
func TargetFields() []FieldInfo {
	return []FieldInfo{
		{Name: "name", Label: "Name", Group: GroupTargets, Type: TypeString, MaxLength: MaxNameChars, Suggested: LegacyTargetName,
			Help: "Unique among the targets; stats are reported per target name, and a saved token belongs to the name."},
		{Name: "url", Label: "Tracking URL", Group: GroupTargets, Type: TypeString,
			Help: "Tracking endpoint, http or https, e.g. https://analytics.example.org/matomo.php."},
		{Name: "site_id", Label: "Site ID", Group: GroupTargets, Type: TypeInt, Min: num(minSiteID),
			Help: "Matomo site (idsite) that receives this target's visits."},
		{Name: "token_auth", Label: "Token", Group: GroupTargets, Type: TypeSecret, Secret: true, Optional: true,
			Help: "Token of a user with write access to the site; sent only to this target."},
		{Name: "weight", Label: "Weight", Group: GroupTargets, Type: TypeInt, Min: num(MinTargetWeight), Max: num(MaxTargetWeight),
			Default: strconv.Itoa(DefaultTargetWeight), Help: "Share of the visits in weighted mode (weight over the sum of the enabled targets' weights)."},
		{Name: "enabled", Label: "Enabled", Group: GroupTargets, Type: TypeBool, Default: strconv.FormatBool(defaultTargetEnabled),
			Help: "A disabled target keeps its settings but receives nothing."},
	}
}

// nameOK tells whether s is a valid name: 1 to MaxNameChars characters.
func nameOK(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= MaxNameChars
}
