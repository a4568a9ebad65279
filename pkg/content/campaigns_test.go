package content

import (
	"strings"
	"testing"
)

func TestParseCampaigns(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []want
	}{
		// A complete JSON entry parses cleanly.
		{"json valid", `{"campaigns":[{"name":"Spring","source":"newsletter","medium":"email","keyword":"k","content":"c","id":"7","weight":2}]}`, nil},
		// A complete CSV file with a comment parses cleanly; columns may come in any order.
		{"csv valid", "# our campaigns\nweight,name,source\n2,spring,newsletter\n,summer,\n", nil},
		// Every problem of a JSON file at once, each with its line and path.
		{"json problems", "{\"campaigns\":[\n{\"source\":\"x\"},\n{\"name\":\" \",\"weight\":0},\n{\"name\":\"a\",\"medium\":3,\"colour\":\"red\"}\n]}",
			[]want{
				{line: 2, field: "campaigns[0].name", phrase: "is required"},
				{line: 3, field: "campaigns[1].name", phrase: "must not be empty"},
				{line: 3, field: "campaigns[1].weight", value: "0", phrase: "> 0"},
				{line: 4, field: "campaigns[2].medium", value: "3", phrase: "must be a string"},
				{line: 4, field: "campaigns[2].colour", phrase: `unknown key "colour"`},
			}},
		// Every problem of a CSV file at once, with its line and column.
		{"csv problems", "name,weight\nspring,x\n,1\nsummer,-2\nautumn,1,extra\n",
			[]want{
				{line: 2, field: "weight", value: "x", phrase: "must be a number"},
				{line: 3, field: "name", phrase: "is required"},
				{line: 4, field: "weight", value: "-2", phrase: "> 0"},
				{line: 5, value: "autumn,1,extra", phrase: "header has 2 columns"},
			}},
		// A header without a name column, or with an unknown column, is reported.
		{"csv header", "source,colour\nx,y\n",
			[]want{{line: 1, value: "colour", phrase: "unknown column"}, {line: 1, field: "name", phrase: "must have a name column"}}},
		// Unknown top-level keys are errors; an empty catalogue is an error.
		{"json empty", `{"campaigns":[],"extra":1}`,
			[]want{{line: 1, field: "extra", phrase: `unknown key "extra"`}}},
		{"json no campaigns", `{"campaigns":[]}`, []want{{field: "campaigns", phrase: "no campaigns"}}},
		// Two campaigns that differ only in the case of their name are one campaign to Matomo.
		{"duplicate", "name,source\nSpring,a\nspring,a\n",
			[]want{{line: 3, value: "spring", phrase: "same campaign as on line 2", warning: true}}},
		// Over-long values are cut by Matomo: a warning.
		{"long", "name\n" + strings.Repeat("x", 256) + "\n", []want{{line: 2, field: "name", phrase: "longer than 255", warning: true}}},
		// JSON syntax errors give the line.
		{"syntax", "{\"campaigns\":[\n{\"name\":\"a\",}]}", []want{{line: 2, phrase: "not valid JSON"}}},
		// A CSV quote error gives the line.
		{"csv syntax", "name\n\"a\"b\n", []want{{line: 2, phrase: "not valid CSV"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := ParseCampaigns([]byte(tt.input))
			checkProblems(t, ps, tt.want)
		})
	}
}

func TestParseCampaignsValues(t *testing.T) {
	set, ps := ParseCampaigns([]byte("\ufeffname,source,medium,keyword,content,id,weight\n Spring , news,email,,hero,c1,3\nsummer,,,,,,\n"))
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	want := []Campaign{
		{Name: "Spring", Source: "news", Medium: "email", Content: "hero", ID: "c1", Weight: 3},
		{Name: "summer", Weight: 1},
	}
	if len(set.Campaigns) != 2 || set.Campaigns[0] != want[0] || set.Campaigns[1] != want[1] {
		t.Fatalf("got %+v, want %+v", set.Campaigns, want)
	}
	if got := set.Campaigns[0].Query(); got != "mtm_campaign=Spring&mtm_source=news&mtm_medium=email&mtm_content=hero&mtm_cid=c1" {
		t.Errorf("Query = %s", got)
	}
	c := Campaign{Name: "a b", Keyword: "x&y"}
	if got := c.LegacyQuery(); got != "pk_campaign=a+b&pk_keyword=x%26y" {
		t.Errorf("LegacyQuery = %s", got)
	}
	// The JSON form round-trips through MarshalCampaigns.
	data, err := MarshalCampaigns(set)
	if err != nil {
		t.Fatal(err)
	}
	again, ps := ParseCampaigns(data)
	if ps.Err() != nil || len(again.Campaigns) != 2 || again.Campaigns[0] != want[0] || again.Campaigns[1] != want[1] {
		t.Fatalf("round trip: %+v %v", again, ps)
	}
}

func TestDefaultCampaigns(t *testing.T) {
	set := DefaultCampaigns()
	if len(set.Campaigns) < 10 {
		t.Fatalf("%d built-in campaigns, want at least 10", len(set.Campaigns))
	}
	_, ps := ParseCampaigns([]byte(DefaultCampaignsJSON()))
	if len(ps) != 0 {
		t.Errorf("built-in file has problems: %v", ps)
	}
	media := map[string]bool{}
	for _, c := range set.Campaigns {
		media[c.Medium] = true
		if c.Weight <= 0 || c.Name == "" || c.Source == "" {
			t.Errorf("campaign %+v lacks a name, source or weight", c)
		}
	}
	if len(media) < 5 {
		t.Errorf("built-in campaigns cover %d media, want a varied mix", len(media))
	}
}

func TestCampaignStats(t *testing.T) {
	set, _ := ParseCampaigns([]byte("name,medium,weight\nA,email,3\na,email,1\nb,cpc,4\nc,,2\n"))
	st := set.Stats()
	if st.Campaigns != 4 || st.Names != 3 || len(st.Media) != 3 {
		t.Fatalf("stats %+v", st)
	}
	if m := st.Media[0]; m.Medium != "cpc" || m.Campaigns != 1 || m.Share != 0.4 {
		t.Errorf("first medium %+v, want cpc with 40%% (ties broken by name)", m)
	}
	if m := st.Media[1]; m.Medium != "email" || m.Campaigns != 2 || m.Share != 0.4 {
		t.Errorf("second medium %+v", m)
	}
}
