import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Kills the built binary with SIGKILL in the middle of a sync's checkout or
/// a patch apply (`SEL4IMG_TEST_SIGKILL_AT`, a real kill), then checks that a
/// plain re-run recovers and leaves the tree a clean run leaves.
@Suite struct InterruptedWorkTests {
    /// A mirror with a 400-file project `big` (two commits) and a small one,
    /// a manifest for them, and helpers to make workspaces from it.
    struct Fixture {
        let dir: TemporaryDirectory
        var host: URL { dir.path("host") }
        var manifest: URL { dir.path("manifest.xml") }
        var big: URL { dir.path("src/big") }
        var bare: URL { host.appendingPathComponent("example.invalid/org/big.git") }

        init() throws {
            dir = try TemporaryDirectory("interrupted")
            try sh("""
                set -e
                mkdir -p src/big src/small host/example.invalid/org
                cd src/big && git init -q -b master .
                for i in $(seq 1 400); do d=dir$((i % 20)); mkdir -p $d; echo "file $i" > $d/f$i.txt; done
                git add -A && git commit -q -m first
                cd ../small && git init -q -b master . && echo small > README && git add -A && git commit -q -m first
                cd ../.. && git clone -q --bare src/big host/example.invalid/org/big.git && git clone -q --bare src/small host/example.invalid/org/small.git
                """, in: dir.url)
            try dir.write("manifest.xml", """
                <manifest>
                  <remote name="org" fetch="https://example.invalid/org"/>
                  <default remote="org" revision="master"/>
                  <project name="big" path="big"/>
                  <project name="small" path="lib/small"/>
                </manifest>
                """)
        }

        /// A second commit on big's master that changes, deletes and adds files.
        func advanceBig() throws {
            try sh("""
                set -e
                for i in $(seq 1 200); do d=dir$((i % 20)); echo "changed $i" > $d/f$i.txt; done
                for i in $(seq 201 250); do d=dir$((i % 20)); rm $d/f$i.txt; done
                for i in $(seq 401 450); do mkdir -p new; echo "new $i" > new/f$i.txt; done
                git add -A && git commit -q -m second && git push -q \(bare.path) master
                """, in: big)
        }

        func workspace(_ name: String) throws -> URL {
            let ws = dir.path(name)
            let r = try runSel4img(["init", "-m", manifest.path, "--mirror", host.path, "-w", ws.path])
            #expect(r.status == 0, "\(r.stderr)")
            return ws
        }

        func sync(_ ws: URL, killAt: String? = nil, _ extra: [String] = []) throws -> CommandResult {
            try runSel4img(["sync", "-j", "1", "-w", ws.path] + extra,
                           environment: killAt.map { ["SEL4IMG_TEST_SIGKILL_AT": $0] } ?? [:])
        }

        /// The trees differ in nothing but sel4img's state directory.
        func expectSameTree(_ a: URL, _ b: URL) {
            #expect(throws: Never.self) { try sh("diff -r -x .sel4img \(a.path) \(b.path)") }
        }
    }

    @Test("kill -9 at several points of a first sync's checkout: status says so and exits 1, a plain sync finishes it, and the tree equals a clean sync's",
          arguments: [1, 57, 230, 400])
    func killedFirstCheckout(killAt: Int) throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let clean = try f.workspace("clean")
        #expect(try f.sync(clean).status == 0)

        let ws = try f.workspace("ws")
        let killed = try f.sync(ws, killAt: "checkout:\(killAt)")
        #expect(killed.status == SIGKILL)
        #expect(FileManager.default.fileExists(atPath: ws.appendingPathComponent(".sel4img/projects/big.git/sel4img-checkout").path))

        let status = try runSel4img(["status", "-w", ws.path])
        #expect(status.status == 1)
        let lines = status.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        // big: HEAD unborn, not in the lock yet, its checkout cut short; lib/small: not reached.
        #expect(lines.first?.range(of: #"^big +- +not checked out, checkout of [0-9a-f]{12} interrupted \(the next sync finishes it\)"#,
                                   options: .regularExpression) != nil, "\(status.stdout)")
        #expect(lines.last?.hasSuffix("not checked out") == true)

        let again = try f.sync(ws)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("big: finishing the checkout of "))
        #expect(again.stdout.hasPrefix("Synced 2 projects (2 checked out)"))
        f.expectSameTree(ws, clean)
        let after = try runSel4img(["status", "-w", ws.path])
        #expect(after.status == 0, "\(after.stdout)")
    }

    @Test("kill -9 while a sync moves a checkout to a new commit: a plain sync finishes it; a user's edit after that is refused as before")
    func killedMove() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let ws = try f.workspace("ws")
        #expect(try f.sync(ws).status == 0)
        try f.advanceBig()
        let clean = try f.workspace("clean")
        #expect(try f.sync(clean).status == 0)

        let killed = try f.sync(ws, killAt: "checkout:120")
        #expect(killed.status == SIGKILL)
        let again = try f.sync(ws)
        #expect(again.status == 0, "\(again.stderr)")
        f.expectSameTree(ws, clean)

        // The finished checkout is the user's now: an edit is refused.
        try "mine\n".write(to: ws.appendingPathComponent("big/dir1/f1.txt"), atomically: true, encoding: .utf8)
        try f.advanceBigAgain()
        let refused = try f.sync(ws)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("big has uncommitted changes that a checkout would overwrite:\n    dir1/f1.txt (modified)"), "\(refused.stderr)")
    }
}

extension InterruptedWorkTests.Fixture {
    func advanceBigAgain() throws {
        try sh("echo third > dir1/f1.txt && git commit -q -am third && git push -q \(bare.path) master", in: big)
    }
}
