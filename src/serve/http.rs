//! The preview server's answers, as a pure function: a method, a raw request
//! target and the site in memory go in, a [`Reply`] comes out. No sockets
//! here, so every traversal trick is a unit test.
//!
//! Files are looked up in the in-memory [`OutputSet`], never on disk: a path
//! that is not a key of the site cannot be served, whatever it spells, and a
//! symlink in the sources was already read (or refused) by the build.

use super::host::AllowedHosts;
use super::path::folder_location;
pub use super::path::site_path;
use crate::site::output::OutputSet;
use crate::site::sitefiles::escape_xml;

/// The path of the live-reload event stream; no site file can live under `/__redline/`.
pub const EVENTS_PATH: &str = "/__redline/events";

/// What the site is right now.
pub struct SiteState<'a> {
    /// The newest good build (None if none has succeeded yet).
    pub files: Option<&'a OutputSet>,
    /// The newest rebuild's error, shown instead of HTML pages until fixed.
    pub error: Option<&'a str>,
    /// Identifies the build; pages carry it, the event stream announces it.
    pub build_id: &'a str,
}

/// An HTTP answer, before it meets the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// `(name, value)` pairs.
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The live-reload event stream (kept open by the caller).
    Events,
    /// Anything else: answered by [`respond`].
    Site,
}

/// Sorts out the event stream, which is not a plain reply.
pub fn classify(method: &str, target: &str) -> Request {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if method == "GET" && path == EVENTS_PATH {
        Request::Events
    } else {
        Request::Site
    }
}

/// The answer for a request whose `Host` values do not lead here; None when
/// there is exactly one and it is allowed.
pub fn host_refusal(allowed: &AllowedHosts, hosts: &[&str]) -> Option<Reply> {
    match hosts {
        [host] if allowed.allows(host) => None,
        [_] => Some(text(
            421,
            "421 Misdirected Request: the preview answers only to localhost, 127.0.0.1, \
             [::1] or the address it listens on, with the port\n",
        )),
        _ => Some(text(
            400,
            "400 Bad Request: a request needs exactly one Host header\n",
        )),
    }
}

/// Answers one request from the site in memory.
pub fn respond(site: &SiteState<'_>, method: &str, target: &str) -> Reply {
    if method != "GET" && method != "HEAD" {
        let mut reply = text(
            405,
            "405 Method Not Allowed: the preview serves GET and HEAD\n",
        );
        reply.headers.push(("Allow", "GET, HEAD".into()));
        return reply;
    }
    let key = match site_path(target) {
        Ok(key) => key,
        Err(why) => return text(400, &format!("400 Bad Request: {why}\n")),
    };
    let lookup = |path: &str| site.files.and_then(|f| f.get(path));
    let resolved = if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key.clone()
    };
    let found = lookup(&resolved);
    if found.is_none() && !key.is_empty() && !key.ends_with('/') {
        let folder = format!("{key}/index.html");
        if lookup(&folder).is_some() || (site.error.is_some() && is_page_like(&key)) {
            let mut reply = text(308, "308 Permanent Redirect\n");
            reply
                .headers
                .push(("Location", folder_location(&key, target)));
            return reply;
        }
    }
    let is_html = content_type(&resolved).starts_with("text/html");
    if let Some(error) = site.error
        && (is_html || found.is_none())
    {
        let mut reply = html(500, error_page(error, site.build_id).into_bytes());
        reply.headers.push(("Cache-Control", "no-store".into()));
        return reply;
    }
    match found {
        Some(bytes) if is_html => html(200, inject_reload(bytes, site.build_id)),
        Some(bytes) => Reply {
            status: 200,
            headers: vec![
                ("Content-Type", content_type(&resolved).into()),
                ("Cache-Control", "no-store".into()),
            ],
            body: bytes.to_vec(),
        },
        None => match lookup("404.html") {
            Some(page) => html(404, inject_reload(page, site.build_id)),
            None => text(404, "404 Not Found\n"),
        },
    }
}

/// No extension, or `.html`: while the build is broken, such a path gets the
/// error page rather than a 404 for a page that may simply not be built.
fn is_page_like(key: &str) -> bool {
    let last = key.rsplit('/').next().unwrap_or(key);
    !last.contains('.')
}

/// The Content-Type for a site path, by extension; text is always UTF-8.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => {
            if path.ends_with("feed.xml") {
                "application/atom+xml; charset=utf-8"
            } else {
                "application/xml; charset=utf-8"
            }
        }
        "txt" => "text/plain; charset=utf-8",
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

/// The live-reload client. It reloads when the server announces a build other
/// than the one the page came from, which also covers a rebuild that happened
/// before the stream connected and a server that restarted. `EventSource`
/// reconnects by itself; if it gives up, the script starts a new one.
const RELOAD_SCRIPT: &str = r#"<script>
(function () {
  var build = "BUILD_ID";
  function connect() {
    var source = new EventSource("/__redline/events");
    source.addEventListener("build", function (event) {
      if (event.data !== build) { source.close(); location.reload(); }
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 1000); }
    };
  }
  connect();
})();
</script>
"#;

/// Adds the live-reload script before the last `</body>` (or at the end).
pub fn inject_reload(html: &[u8], build_id: &str) -> Vec<u8> {
    let script = RELOAD_SCRIPT.replace("BUILD_ID", build_id);
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The page shown for every HTML request while the build is broken: the
/// message (file, line, cause chain) as the terminal shows it.
pub fn error_page(error: &str, build_id: &str) -> String {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Build error — redline</title>\n\
         <style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}}\
         pre{{background:#fff4f4;border-left:4px solid #c00;padding:1rem;white-space:pre-wrap}}</style>\n</head>\n<body>\n\
         <h1>The site cannot be built</h1>\n<pre>{}</pre>\n\
         <p>Fix the file and save it: this page reloads by itself.</p>\n</body>\n</html>\n",
        escape_xml(error)
    );
    String::from_utf8_lossy(&inject_reload(page.as_bytes(), build_id)).into_owned()
}

fn html(status: u16, body: Vec<u8>) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type", "text/html; charset=utf-8".into()),
            ("Cache-Control", "no-store".into()),
        ],
        body,
    }
}

fn text(status: u16, message: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: message.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> OutputSet {
        let mut files = OutputSet::default();
        for (path, body) in [
            ("index.html", "<html><body>home</body></html>"),
            ("privacy/index.html", "<html><body>privacy</body></html>"),
            ("404.html", "<html><body>lost</body></html>"),
            ("style.css", "body{}"),
            ("feed.xml", "<feed/>"),
        ] {
            files.insert(path.into(), body.into(), path).unwrap();
        }
        files
    }

    fn get(target: &str) -> Reply {
        let files = site();
        let state = SiteState {
            files: Some(&files),
            error: None,
            build_id: "b1",
        };
        respond(&state, "GET", target)
    }

    fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
        reply
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn folders_serve_their_index_with_the_reload_script() {
        let reply = get("/privacy/");
        assert_eq!(reply.status, 200);
        assert_eq!(
            header(&reply, "Content-Type"),
            Some("text/html; charset=utf-8")
        );
        let body = String::from_utf8(reply.body).unwrap();
        assert!(body.contains("privacy"));
        assert!(body.contains("/__redline/events"));
        assert!(body.ends_with("</body></html>"), "{body}");
        assert_eq!(get("/").status, 200);
    }

    #[test]
    fn folder_without_slash_redirects_keeping_the_query() {
        let reply = get("/privacy?x=1");
        assert_eq!(reply.status, 308);
        assert_eq!(header(&reply, "Location"), Some("/privacy/?x=1"));
    }

    #[test]
    fn redirect_queries_are_re_encoded() {
        let reply = get("/privacy?a=%41 b\"<x>");
        assert_eq!(reply.status, 308);
        assert_eq!(
            header(&reply, "Location"),
            Some("/privacy/?a=%41%20b%22%3Cx%3E")
        );
        let fragment = get("/privacy?q=1#part");
        assert_eq!(header(&fragment, "Location"), Some("/privacy/?q=1"));
    }

    #[test]
    fn control_characters_anywhere_in_the_target_are_400() {
        // Regression: a CR in the query reached the Location header.
        for target in [
            "/privacy?a\rSet-Cookie:x=1",
            "/privacy?a\nb",
            "/privacy/\tx",
            "/privacy#\u{7f}",
            "/privacy?\u{85}",
        ] {
            let reply = get(target);
            assert_eq!(reply.status, 400, "{target:?}");
            assert!(header(&reply, "Location").is_none());
        }
    }

    #[test]
    fn encoded_slashes_and_backslashes_are_400() {
        // Regression: `/privacy%2findex.html` was served as `privacy/index.html`.
        for target in [
            "/privacy%2findex.html",
            "/privacy%2Findex.html",
            "/privacy%5cindex.html",
            "/privacy%5C",
        ] {
            assert_eq!(get(target).status, 400, "{target}");
        }
    }

    #[test]
    fn redirects_re_encode_the_decoded_path() {
        let mut files = site();
        files
            .insert("a b/index.html".into(), b"x".to_vec(), "x")
            .unwrap();
        let state = SiteState {
            files: Some(&files),
            error: None,
            build_id: "b1",
        };
        let reply = respond(&state, "GET", "/a%20b");
        assert_eq!(header(&reply, "Location"), Some("/a%20b/"));
    }

    #[test]
    fn missing_pages_get_the_sites_404() {
        let reply = get("/nope/");
        assert_eq!(reply.status, 404);
        assert!(String::from_utf8(reply.body).unwrap().contains("lost"));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("feed.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(
            content_type("versions.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("a/b.PNG"), "image/png");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
        assert_eq!(get("/style.css").body, b"body{}");
    }

    #[test]
    fn other_methods_are_405() {
        let files = site();
        let state = SiteState {
            files: Some(&files),
            error: None,
            build_id: "b1",
        };
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
            let reply = respond(&state, method, "/");
            assert_eq!(reply.status, 405, "{method}");
            assert_eq!(header(&reply, "Allow"), Some("GET, HEAD"));
        }
    }

    #[test]
    fn traversal_and_odd_paths_are_400() {
        for target in [
            "/../etc/passwd",
            "/privacy/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/etc/passwd",
            "/..%2fetc/passwd",
            "/..%5cetc/passwd",
            "/privacy\\..\\x",
            "/c:/windows/win.ini",
            "/C%3A/windows/win.ini",
            "/privacy%00.html",
            "/%ff%fe",
            "/%zz",
            "/%2",
            "http://example.com/privacy/",
            "*",
            "",
        ] {
            let reply = get(target);
            assert_eq!(reply.status, 400, "{target}");
            assert!(!String::from_utf8_lossy(&reply.body).contains("privacy</body>"));
        }
    }

    #[test]
    fn percent_decoding_happens_once() {
        // `%252e%252e` decodes once to `%2e%2e`, a plain (missing) name.
        assert_eq!(get("/%252e%252e/").status, 404);
    }

    #[test]
    fn a_broken_build_shows_the_error_for_pages_but_still_serves_assets() {
        let files = site();
        let state = SiteState {
            files: Some(&files),
            error: Some("error: content/privacy.md:3:1: bad <yaml>"),
            build_id: "b2",
        };
        let reply = respond(&state, "GET", "/privacy/");
        assert_eq!(reply.status, 500);
        let body = String::from_utf8(reply.body).unwrap();
        assert!(body.contains("content/privacy.md:3:1: bad &lt;yaml&gt;"));
        assert!(body.contains("\"b2\""));
        assert_eq!(respond(&state, "GET", "/style.css").status, 200);
        assert_eq!(respond(&state, "GET", "/new-page/").status, 500);
        let none = SiteState {
            files: None,
            error: Some("error: x"),
            build_id: "b1",
        };
        assert_eq!(respond(&none, "GET", "/").status, 500);
    }

    #[test]
    fn only_one_allowed_host_is_answered() {
        let allowed = AllowedHosts::new("127.0.0.1:4000".parse().unwrap(), &[]);
        assert_eq!(host_refusal(&allowed, &["localhost:4000"]), None);
        let foreign = host_refusal(&allowed, &["attacker.example:4000"]).unwrap();
        assert_eq!(foreign.status, 421);
        assert_eq!(host_refusal(&allowed, &[]).unwrap().status, 400);
        let two = host_refusal(&allowed, &["localhost:4000", "attacker.example"]);
        assert_eq!(two.unwrap().status, 400);
    }

    #[test]
    fn the_event_stream_is_recognised() {
        assert_eq!(classify("GET", "/__redline/events"), Request::Events);
        assert_eq!(classify("GET", "/__redline/events?x"), Request::Events);
        assert_eq!(classify("POST", "/__redline/events"), Request::Site);
        assert_eq!(classify("GET", "/privacy/"), Request::Site);
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = inject_reload(b"<BODY>a</BODY>", "x");
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("<BODY>a<script>"));
        assert!(out.ends_with("</BODY>"));
        let bare = String::from_utf8(inject_reload(b"plain", "x")).unwrap();
        assert!(bare.starts_with("plain<script>"));
    }
}
