package config

import (
	"fmt"
	"strings"
)

// Markdown renders the configuration reference (docs/configuration.md) from the schema. `make docs`
// writes it; a test fails when the committed file differs.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Configuration reference\n\n")
	b.WriteString("<!-- Generated from pkg/config by `make docs`. Do not edit by hand. -->\n\n")
	b.WriteString("Every setting is an environment variable of the loader. The same name is the JSON key in the control's\n")
	b.WriteString("API (`POST /api/validate`, `POST /api/configs`), in stored configs and in the web UI. Values in env\n")
	b.WriteString("files are strings; in JSON, numbers and booleans may be typed or given as strings.\n\n")
	b.WriteString("Validation reports every problem at once, each naming the setting, the value and the rule. Warnings\n")
	b.WriteString("are printed but do not stop a run.\n\n")
	for _, g := range Groups {
		fmt.Fprintf(&b, "- [%s](#%s)\n", g, anchor(g))
	}
	for _, g := range Groups {
		fmt.Fprintf(&b, "\n## %s\n\n", g)
		b.WriteString("| Variable | Default | Type | Limits | Description |\n|---|---|---|---|---|\n")
		for _, f := range fields {
			if f.info.Group != g {
				continue
			}
			i := f.info
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | **%s.** %s%s |\n", i.Name, mdDefault(i), mdType(i), mdLimits(i), i.Label, escape(i.Help), mdMode(i))
		}
	}
	b.WriteString("\n## Targets in MATOMO_TARGETS\n\n")
	b.WriteString("```json\n[\n  {\"name\": \"baseline\", \"url\": \"https://matomo-a.example.org/matomo.php\", \"site_id\": 1, \"token_auth\": \"…\", \"weight\": 1, \"enabled\": true},\n  {\"name\": \"optimised\", \"url\": \"https://matomo-b.example.org/matomo.php\", \"site_id\": 1, \"token_auth\": \"…\"}\n]\n```\n\n")
	b.WriteString("| Key | Default | Type | Limits | Description |\n|---|---|---|---|---|\n")
	for _, i := range TargetFields() {
		def := mdDefault(i)
		if i.Default == "" && !i.Optional {
			def = "required"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | **%s.** %s |\n", i.Name, def, mdType(i), mdLimits(i), i.Label, escape(i.Help))
	}
	b.WriteString("\nEach target's token is sent only to that target; `token_auth_file` instead of `token_auth` names a file\n")
	b.WriteString("holding it (read by the loader alone, as `MATOMO_TOKEN_AUTH_FILE`). A whole visit always stays on one target; with\n")
	b.WriteString("`TARGET_MODE=mirror` every target receives the identical visit.\n")
	return b.String()
}

func anchor(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func mdDefault(i FieldInfo) string {
	if i.Default == "" {
		return "unset"
	}
	return "`" + i.Default + "`"
}

func mdType(i FieldInfo) string {
	t := i.Type
	if i.Unit != "" {
		t += " (" + i.Unit + ")"
	}
	return t
}

func mdLimits(i FieldInfo) string {
	switch {
	case len(i.Enum) > 0:
		return "`" + strings.Join(i.Enum, "` \\| `") + "`"
	case i.Min != nil && i.Max != nil:
		return formatFloat(*i.Min) + " – " + formatFloat(*i.Max)
	case i.Min != nil:
		return "≥ " + formatFloat(*i.Min)
	case i.MaxLength > 0:
		return fmt.Sprintf("≤ %d characters", i.MaxLength)
	case i.Type == TypeDate:
		return "YYYY-MM-DD"
	}
	return ""
}

func mdMode(i FieldInfo) string {
	if i.Mode == "" {
		return ""
	}
	return " *(" + i.Mode + " mode)*"
}

func escape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
