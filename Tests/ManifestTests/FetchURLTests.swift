import Testing
@testable import Manifest

/// One row of the URL resolution table: what repo's `_resolveFetchUrl` plus
/// `ToRemoteSpec` produce (checked against Python's `urljoin`).
struct URLCase: Sendable, CustomTestStringConvertible {
    var manifestURL: String
    var fetch: String
    var project: String
    var expected: String
    var testDescription: String { "\(manifestURL) + \(fetch) + \(project)" }
}

@Suite struct FetchURLTests {
    static let cases: [URLCase] = [
        // sel4test-manifest
        URLCase(manifestURL: "https://github.com/seL4/sel4test-manifest.git", fetch: ".", project: "seL4.git",
                expected: "https://github.com/seL4/seL4.git"),
        URLCase(manifestURL: "https://github.com/seL4/sel4test-manifest.git", fetch: "../sel4proj", project: "sel4_projects_libs",
                expected: "https://github.com/sel4proj/sel4_projects_libs"),
        URLCase(manifestURL: "https://github.com/seL4/sel4test-manifest.git", fetch: "https://github.com/nanopb", project: "nanopb",
                expected: "https://github.com/nanopb/nanopb"),
        // camkes-vm-examples-manifest
        URLCase(manifestURL: "https://github.com/seL4/camkes-vm-examples-manifest.git", fetch: "../seL4", project: "camkes-tool.git",
                expected: "https://github.com/seL4/camkes-tool.git"),
        // wasmedge-seL4: absolute fetches win
        URLCase(manifestURL: "https://github.com/second-state/wasmedge-seL4", fetch: "https://github.com/seL4", project: "seL4.git",
                expected: "https://github.com/seL4/seL4.git"),
        URLCase(manifestURL: "https://github.com/second-state/wasmedge-seL4", fetch: "https://git.savannah.gnu.org/git/", project: "lwip.git",
                expected: "https://git.savannah.gnu.org/git/lwip.git"),
        URLCase(manifestURL: "https://github.com/second-state/wasmedge-seL4", fetch: "../SEL4PROJ", project: "x",
                expected: "https://github.com/SEL4PROJ/x"),
        // trailing slashes on both sides are stripped first
        URLCase(manifestURL: "https://github.com/seL4/sel4test-manifest.git/", fetch: "./", project: "seL4.git",
                expected: "https://github.com/seL4/seL4.git"),
        URLCase(manifestURL: "https://github.com/seL4/sel4test-manifest.git//", fetch: "../sel4proj//", project: "x",
                expected: "https://github.com/sel4proj/x"),
        // '..' above the host is dropped (RFC 3986)
        URLCase(manifestURL: "https://github.com/seL4/m.git", fetch: "../../../other", project: "x", expected: "https://github.com/other/x"),
        URLCase(manifestURL: "https://github.com/seL4/m.git", fetch: "..", project: "x", expected: "https://github.com/x"),
        URLCase(manifestURL: "https://github.com", fetch: "../x", project: "y", expected: "https://github.com/x/y"),
        URLCase(manifestURL: "https://github.com/seL4/m.git", fetch: "/abs/path", project: "x", expected: "https://github.com/abs/path/x"),
        URLCase(manifestURL: "https://host:8443/a/b/m", fetch: "../c", project: "x", expected: "https://host:8443/a/c/x"),
        // other schemes resolve the same way
        URLCase(manifestURL: "ssh://git@github.com/seL4/m.git", fetch: "../sel4proj", project: "x", expected: "ssh://git@github.com/sel4proj/x"),
        URLCase(manifestURL: "file:///srv/mirror/seL4/m.git", fetch: "../sel4proj", project: "x", expected: "file:///srv/mirror/sel4proj/x"),
        // a local path as manifest URL resolves as a path
        URLCase(manifestURL: "/srv/mirror/seL4/sel4test-manifest.git", fetch: ".", project: "seL4.git",
                expected: "/srv/mirror/seL4/seL4.git"),
        URLCase(manifestURL: "/srv/mirror/seL4/sel4test-manifest.git", fetch: "../sel4proj", project: "libs",
                expected: "/srv/mirror/sel4proj/libs"),
        // scp-style and relative paths go through repo's gopher:// trick, quirks included
        URLCase(manifestURL: "git@github.com:seL4/sel4test-manifest.git", fetch: ".", project: "x", expected: "git@github.com:seL4/x"),
        URLCase(manifestURL: "git@github.com:seL4/sel4test-manifest.git", fetch: "../sel4proj", project: "x",
                expected: "git@github.com:seL4/sel4proj/x"),
        URLCase(manifestURL: "srv/mirror/m.git", fetch: "../other", project: "x", expected: "srv/other/x"),
    ]

    @Test("Fetch URLs resolve like repo's _resolveFetchUrl", arguments: cases)
    func resolution(_ row: URLCase) {
        let resolved = FetchURL.resolve(fetch: row.fetch, manifestURL: row.manifestURL)
        #expect(FetchURL.projectURL(resolvedFetch: resolved, name: row.project) == row.expected)
    }

    @Test("Dot segments are removed as RFC 3986 section 5.2.4 says")
    func dotSegments() {
        #expect(FetchURL.removeDotSegments("/a/b/c/./../../g") == "/a/g")
        #expect(FetchURL.removeDotSegments("mid/content=5/../6") == "mid/6")
        #expect(FetchURL.removeDotSegments("/../../x") == "/x")
        #expect(FetchURL.removeDotSegments("/a/b/..") == "/a/")
    }

    @Test("RFC 3986 normal examples resolve against http://a/b/c/d;p?q")
    func rfcExamples() {
        let base = "http://a/b/c/d;p?q"
        let table = [
            ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
            ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
            (".", "http://a/b/c/"), ("..", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"),
            ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("g:h", "g:h"),
        ]
        for (reference, expected) in table {
            #expect(FetchURL.join(base: base, reference: reference) == expected, "\(reference)")
        }
    }

    @Test("Fetch values usable without a manifest URL are recognised")
    func absoluteFetch() {
        #expect(FetchURL.isAbsolute("https://github.com/seL4"))
        #expect(FetchURL.isAbsolute("/srv/mirror/seL4"))
        #expect(FetchURL.isAbsolute("git@github.com:seL4"))
        #expect(FetchURL.isAbsolute("file:///srv/m"))
        #expect(!FetchURL.isAbsolute("."))
        #expect(!FetchURL.isAbsolute("../sel4proj"))
        #expect(!FetchURL.isAbsolute("sel4proj/x:y"))
    }
}

@Suite struct RevisionTests {
    @Test("Revisions are classified as commit, tag, branch or other ref")
    func classification() {
        #expect(Revision("1326364bc9135d9445d936ebc01e38a402c1f4c6") == .commit("1326364bc9135d9445d936ebc01e38a402c1f4c6"))
        #expect(Revision("1326364BC9135D9445D936EBC01E38A402C1F4C6").isCommitID)
        #expect(!Revision.isCommitID("1326364bc9135d9445d936ebc01e38a402c1f4c"))
        #expect(!Revision.isCommitID("g326364bc9135d9445d936ebc01e38a402c1f4c6"))
        #expect(Revision("refs/tags/v0.9") == .tag("v0.9"))
        #expect(Revision("refs/heads/master") == .branch("master"))
        #expect(Revision("master") == .branch("master"))
        #expect(Revision("release/12.x") == .branch("release/12.x"))
        #expect(Revision("refs/changes/12/34/1") == .ref("refs/changes/12/34/1"))
    }

    @Test("Full ref names are given for everything but commits")
    func fullRefs() {
        #expect(Revision("master").fullRef == "refs/heads/master")
        #expect(Revision("refs/tags/v0.9").fullRef == "refs/tags/v0.9")
        #expect(Revision("refs/changes/12/34/1").fullRef == "refs/changes/12/34/1")
        #expect(Revision("1326364bc9135d9445d936ebc01e38a402c1f4c6").fullRef == nil)
    }
}
