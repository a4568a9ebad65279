package api

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const urlList = "# shop pages\nhttps://shop.example/\tHome\nhttps://shop.example/products/widgets/blue  Blue widget\n" +
	"https://shop.example/products/widgets/red\nhttps://blog.example/posts/hello\n"

func TestURLSets(t *testing.T) {
	e := newEnv(t)
	var v ContentValidation
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/url-sets/validate", map[string]any{"content": urlList}, &v)
	if !v.Valid || v.Count != 4 || v.Structure == nil || len(v.Structure.Domains) != 2 {
		t.Fatalf("validate %+v", v)
	}
	// Every bad line is reported, with its line number.
	bad := "ftp://x.example/\nhttps://ok.example/\nnot a url\n"
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/url-sets/validate", map[string]any{"content": bad}, &v)
	if v.Valid || len(v.Errors) != 2 || v.Errors[0].Line != 1 || v.Errors[1].Line != 3 {
		t.Errorf("bad list %+v", v)
	}
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/url-sets", map[string]any{"name": "bad", "content": bad}, &eb)
	if len(eb.Errors) != 2 || eb.Errors[0].Field != "content" {
		t.Errorf("create bad %+v", eb)
	}

	var set ContentSetView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/url-sets", map[string]any{"name": "shop", "content": urlList, "default": true}, &set)
	if set.ID == 0 || !set.Default || set.Count == nil || *set.Count != 4 || set.Structure == nil || set.Content != nil {
		t.Fatalf("created %+v", set)
	}
	path := "/api/url-sets/" + strconv.FormatInt(set.ID, 10)
	resp, text := e.request(http.MethodGet, path+"/content", nil)
	if resp.StatusCode != http.StatusOK || string(text) != urlList || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("content %d %q", resp.StatusCode, text)
	}
	// Renaming keeps the content and the default flag when they are left out.
	e.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"name": "shop2"}, &set)
	if set.Name != "shop2" || !set.Default || *set.Count != 4 {
		t.Errorf("renamed %+v", set)
	}
	var list []ContentSetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/url-sets", nil, &list)
	if len(list) != 1 || list[0].Size != int64(len(urlList)) || list[0].Structure != nil {
		t.Errorf("list %+v", list)
	}
	// An event set's id is not a URL set.
	var ev ContentSetView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/event-sets", map[string]any{"name": "ev", "content": map[string]any{"click_events": []any{}}}, &ev)
	e.mustStatus(http.StatusNotFound, http.MethodGet, "/api/url-sets/"+strconv.FormatInt(ev.ID, 10), nil, nil)

	e.mustStatus(http.StatusNoContent, http.MethodDelete, path, nil, nil)
	e.mustStatus(http.StatusNotFound, http.MethodGet, path, nil, nil)
}

func TestBuiltinURLSet(t *testing.T) {
	e := newEnv(t)
	var set ContentSetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/url-sets/builtin", nil, &set)
	if !set.Builtin || set.Count == nil || *set.Count < 1000 || set.Structure == nil {
		t.Errorf("builtin %+v", set)
	}
	resp, _ := e.request(http.MethodDelete, "/api/url-sets/builtin", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("delete builtin: %d", resp.StatusCode)
	}
}

func TestURLSetUpload(t *testing.T) {
	e := newEnv(t)
	// multipart/form-data, as a browser file input sends it.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "catalog.txt")
	fw.Write([]byte(urlList))
	mw.WriteField("default", "1")
	mw.Close()
	resp, body := e.request(http.MethodPost, "/api/url-sets/upload", buf.Bytes(), "Content-Type", mw.FormDataContentType())
	var set ContentSetView
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &set) != nil || set.Name != "catalog" || !set.Default || *set.Count != 4 {
		t.Fatalf("multipart upload %d %s", resp.StatusCode, body)
	}
	// A plain text body with the name in the query.
	resp, body = e.request(http.MethodPost, "/api/url-sets/upload?name=plain", urlList, "Content-Type", "text/plain")
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &set) != nil || set.Name != "plain" || set.Default {
		t.Fatalf("text upload %d %s", resp.StatusCode, body)
	}
	// No name: 400.
	resp, _ = e.request(http.MethodPost, "/api/url-sets/upload", urlList, "Content-Type", "text/plain")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("nameless upload %d", resp.StatusCode)
	}
	// Over the upload limit: 413.
	big := strings.Repeat("https://example.test/x\n", MaxUploadBytes/23+10)
	resp, _ = e.request(http.MethodPost, "/api/url-sets/upload?name=big", big, "Content-Type", "text/plain")
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload %d, want 413", resp.StatusCode)
	}
}

func TestEventSets(t *testing.T) {
	e := newEnv(t)
	events := map[string]any{
		"click_events_probability": 0.2,
		"click_events":             []any{map[string]any{"category": "CTA", "action": "click", "name": "Buy", "value": 1}},
		"random_events":            []any{map[string]any{"category": "Video", "action": "play", "name": "Intro", "value": nil}},
	}
	var set ContentSetView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/event-sets", map[string]any{"name": "mine", "content": events}, &set)
	if set.Count == nil || *set.Count != 2 || set.Stats == nil || set.Content == nil {
		t.Fatalf("created %+v", set)
	}
	// The original's editor sent the JSON as a string; that works too.
	js, _ := json.Marshal(events)
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/event-sets", map[string]any{"name": "as-string", "content": string(js)}, &set)
	path := "/api/event-sets/" + strconv.FormatInt(set.ID, 10)
	e.mustStatus(http.StatusOK, http.MethodGet, path, nil, &set)
	if set.Content == nil || *set.Content != string(js) {
		t.Errorf("stored content %+v", set.Content)
	}
	// Every problem of a bad set is listed.
	bad := map[string]any{"click_events_probability": 3, "click_events": []any{map[string]any{"category": "", "action": "a"}}, "extra": 1}
	var v ContentValidation
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/event-sets/validate", map[string]any{"content": bad}, &v)
	if v.Valid || len(v.Errors) < 3 {
		t.Errorf("validate bad %+v", v)
	}
	e.mustStatus(http.StatusBadRequest, http.MethodPut, path, map[string]any{"name": "x", "content": bad}, nil)
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/event-sets", map[string]any{"name": "x", "content": 5}, nil)
	var builtin ContentSetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/event-sets/builtin", nil, &builtin)
	if !builtin.Builtin || builtin.Count == nil || *builtin.Count == 0 {
		t.Errorf("builtin %+v", builtin)
	}
}
