package main

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
)

// web holds the admin page: its template, one script and one stylesheet.
//
//go:embed web
var web embed.FS

// pageCSP allows the page to load only its own script, stylesheet and
// JSON: no inline script or style, nothing from elsewhere; and no site may
// frame it (clickjacking: a page of another site laid over it could have
// the admin click Save on a mapping of its choosing).
const pageCSP = "default-src 'self'; frame-ancestors 'none'"

// pageData is what web/page.html shows.
type pageData struct {
	Org       string
	ConfigURL string
	Orgs      []pageOrg // every organization served, for the navigation
}

// pageOrg is one organization in the page's navigation.
type pageOrg struct {
	Name, URL string
	Current   bool
}

// registerPage adds the admin page and its assets to mux:
//
//	GET /organizations/{org}/  the page, which loads and saves
//	                           /organizations/{org}/config
//	GET /organizations/{org}   redirects to the page
//	GET /assets/{file}         app.js and style.css
//	GET /favicon.ico           204: no icon, and no 404 in the console
func (a *app) registerPage(mux *http.ServeMux) {
	tmpl := template.Must(template.ParseFS(web, "web/page.html"))
	assets, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded directory is always there
	}
	files := http.FileServerFS(assets)

	mux.HandleFunc("GET /organizations/{org}/{$}", func(w http.ResponseWriter, r *http.Request) {
		o, ok := a.organization(w, r)
		if !ok {
			return
		}
		data := pageData{Org: o.Name, ConfigURL: "/organizations/" + url.PathEscape(o.Name) + "/config"}
		for _, other := range a.cfg.Orgs {
			data.Orgs = append(data.Orgs, pageOrg{
				Name: other.Name, URL: "/organizations/" + url.PathEscape(other.Name) + "/", Current: other.Name == o.Name,
			})
		}
		var page bytes.Buffer
		if err := tmpl.Execute(&page, data); err != nil {
			a.cfg.Logger.ErrorContext(r.Context(), "render page", "err", err)
			writeProblem(w, http.StatusInternalServerError, "", "could not render the page")
			return
		}
		securePage(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page.Bytes())
	})
	mux.HandleFunc("GET /organizations/{org}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/organizations/"+url.PathEscape(r.PathValue("org"))+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /assets/{file}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("file") {
		case "app.js", "style.css":
		default:
			writeProblem(w, http.StatusNotFound, "", "no such asset")
			return
		}
		securePage(w.Header())
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + r.PathValue("file")
		files.ServeHTTP(w, r2)
	})
}

// securePage sets the headers of the page and its assets.
func securePage(h http.Header) {
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}
