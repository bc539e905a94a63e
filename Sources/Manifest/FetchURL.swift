/// Resolves remote `fetch` values the way repo's `_XmlRemote._resolveFetchUrl`
/// does: strip trailing slashes from both, then join the fetch onto the
/// manifest's URL with RFC 3986 relative resolution. A manifest URL without
/// a scheme separator right before its first '/' (scp-style `host:path`, or a
/// relative path) is resolved as if it were `gopher://…` and the prefix
/// removed again, like repo; a local absolute path (`/srv/mirror/x.git`) is
/// resolved as a plain path.
public enum FetchURL {
    /// The resolved fetch URL for `fetch` relative to `manifestURL`.
    public static func resolve(fetch: String, manifestURL: String) -> String {
        let url = stripTrailingSlashes(fetch)
        let base = stripTrailingSlashes(manifestURL)
        let colon = base.firstIndex(of: ":").map { base.distance(from: base.startIndex, to: $0) } ?? -1
        let slash = base.firstIndex(of: "/").map { base.distance(from: base.startIndex, to: $0) } ?? -1
        if colon != slash - 1 {
            let joined = join(base: "gopher://" + base, reference: url)
            return joined.hasPrefix("gopher://") ? String(joined.dropFirst("gopher://".count)) : joined
        }
        return join(base: base, reference: url)
    }

    /// The URL of a project: the resolved fetch without trailing '/', a '/',
    /// and the project name (repo's `ToRemoteSpec`).
    public static func projectURL(resolvedFetch: String, name: String) -> String {
        stripTrailingSlashes(resolvedFetch) + "/" + name
    }

    /// True when `fetch` can be used without knowing the manifest's URL: it
    /// has a scheme (`https://…`, `file:…`), is an absolute local path, or is
    /// an scp-style `host:path`.
    public static func isAbsolute(_ fetch: String) -> Bool {
        if fetch.hasPrefix("/") { return true }
        if URIReference(fetch).scheme != nil { return true }
        if let colon = fetch.firstIndex(of: ":") {
            let slash = fetch.firstIndex(of: "/") ?? fetch.endIndex
            return colon > fetch.startIndex && colon < slash
        }
        return false
    }

    static func stripTrailingSlashes(_ text: String) -> String {
        var result = Substring(text)
        while result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }

    /// RFC 3986 §5.2.2 resolution of `reference` against `base`. Like
    /// Python's `urljoin` (which repo uses), an empty reference gives the base
    /// and a reference with a scheme is returned unchanged.
    static func join(base: String, reference: String) -> String {
        if base.isEmpty { return reference }
        if reference.isEmpty { return base }
        let ref = URIReference(reference)
        if ref.scheme != nil { return reference }
        let b = URIReference(base)
        var target = URIReference(scheme: b.scheme, authority: nil, path: "", query: nil, fragment: ref.fragment)
        if let authority = ref.authority {
            target.authority = authority
            target.path = removeDotSegments(ref.path)
            target.query = ref.query
        } else {
            target.authority = b.authority
            if ref.path.isEmpty {
                target.path = b.path
                target.query = ref.query ?? b.query
            } else {
                if ref.path.hasPrefix("/") {
                    target.path = removeDotSegments(ref.path)
                } else {
                    target.path = removeDotSegments(merge(base: b, path: ref.path))
                }
                target.query = ref.query
            }
        }
        return target.text
    }

    /// RFC 3986 §5.2.3.
    static func merge(base: URIReference, path: String) -> String {
        if base.authority != nil, base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    /// RFC 3986 §5.2.4: removes `.` and `..` segments; `..` above the root
    /// is dropped.
    static func removeDotSegments(_ path: String) -> String {
        var input = Substring(path)
        var output: [Substring] = []
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "/.." {
                input = "/"
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let searchStart = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[searchStart...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        return output.joined()
    }
}

/// A URI split into its five RFC 3986 components (Appendix B).
struct URIReference {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    init(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        if let colon = rest.firstIndex(of: ":") {
            let candidate = rest[..<colon]
            if let first = candidate.first, first.isASCII, first.isLetter,
               candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
                scheme = String(candidate)
                rest = rest[rest.index(after: colon)...]
            }
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[..<end])
            rest = rest[end...]
        }
        path = String(rest)
    }

    /// RFC 3986 §5.3 recomposition.
    var text: String {
        var result = ""
        if let scheme { result += scheme + ":" }
        if let authority { result += "//" + authority }
        result += path
        if let query { result += "?" + query }
        if let fragment { result += "#" + fragment }
        return result
    }
}
